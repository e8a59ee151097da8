import { describe, expect, it } from 'vitest';
import {
  EVENTS_ERROR_CODES,
  EventInvalidError,
  EventTooManyDeliveriesError,
  EventVersionUnsupportedError,
  EventsClosedError,
  EventsError,
  EventsInvalidOptionError,
  EventsRedisError,
} from './errors.ts';

describe('errors', () => {
  it.each([
    [new EventVersionUnsupportedError(2, [1]), 'EventVersionUnsupportedError', EVENTS_ERROR_CODES.unsupportedVersion],
    [new EventInvalidError(['v: missing']), 'EventInvalidError', EVENTS_ERROR_CODES.invalidEvent],
    [
      new EventsInvalidOptionError('batchSize', 'must be positive'),
      'EventsInvalidOptionError',
      EVENTS_ERROR_CODES.invalidOption,
    ],
    [new EventsClosedError('EventPublisher'), 'EventsClosedError', EVENTS_ERROR_CODES.closed],
    [new EventsRedisError('publish', new Error('ECONNRESET')), 'EventsRedisError', EVENTS_ERROR_CODES.redis],
    [new EventTooManyDeliveriesError(7, 5), 'EventTooManyDeliveriesError', EVENTS_ERROR_CODES.tooManyDeliveries],
  ])('%s has a fixed name and a stable code', (error, name, code) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(code).toMatch(/^MODSYNC_EVENTS_[A-Z_]+$/);
    expect(error).toBeInstanceOf(EventsError);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause and the fields', () => {
    const cause = new Error('ECONNRESET');
    expect(new EventsRedisError('publish', cause)).toMatchObject({
      cause,
      op: 'publish',
      message: 'redis publish failed: ECONNRESET',
    });
    expect(new EventVersionUnsupportedError(3, [1]).message).toBe(
      'unsupported discovery event version 3 (this build reads v1)',
    );
  });

  it('tells subclasses apart with instanceof, also across copies of the package (brand + code)', () => {
    const error = new EventInvalidError(['x']);
    expect(error instanceof EventVersionUnsupportedError).toBe(false);
    const lookalike = Object.assign(Object.create(Error.prototype), {
      [Symbol.for('modsync.events.error')]: true,
      code: EVENTS_ERROR_CODES.invalidEvent,
    });
    expect(lookalike instanceof EventInvalidError).toBe(true);
    expect(lookalike instanceof EventsError).toBe(true);
    expect(new Error('plain') instanceof EventsError).toBe(false);
  });
});
