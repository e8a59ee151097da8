import { describe, expect, it } from 'vitest';
import { deadLetterFields, describeError, parseDeadLetter } from './dead-letter.ts';
import { EventVersionUnsupportedError } from './errors.ts';

describe('dead letters', () => {
  it('keep the error name, code and message, and read back', () => {
    const flat = deadLetterFields({
      entryId: '1-0',
      event: '{"v":2}',
      group: 'applier',
      consumer: 'pod-0',
      deliveries: 1,
      failedAt: '2026-01-01T00:00:00.000Z',
      error: new EventVersionUnsupportedError(2, [1]),
    });
    const fields = Object.fromEntries(
      Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]),
    );
    expect(parseDeadLetter({ id: '5-0', fields })).toEqual({
      id: '5-0',
      entryId: '1-0',
      event: '{"v":2}',
      group: 'applier',
      consumer: 'pod-0',
      deliveries: 1,
      errorName: 'EventVersionUnsupportedError',
      errorCode: 'MODSYNC_EVENTS_UNSUPPORTED_VERSION',
      errorMessage: 'unsupported discovery event version 2 (this build reads v1)',
      failedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it.each([
    [new TypeError('bad'), { errorName: 'TypeError', errorCode: 'TypeError', errorMessage: 'bad' }],
    [
      Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      { errorName: 'Error', errorCode: 'ECONNRESET', errorMessage: 'reset' },
    ],
    ['a string', { errorName: 'NonError', errorCode: 'NonError', errorMessage: 'a string' }],
  ])('describes %s', (error, expected) => {
    expect(describeError(error)).toEqual(expected);
  });
});
