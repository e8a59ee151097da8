import { describe, expect, it } from 'vitest';
import { EVENTS_ERROR_CODES } from './errors.ts';
import { resolvePublisherOptions, resolveSubscriberOptions, type EventSubscriberOptions } from './options.ts';

const URL = 'redis://:secret@127.0.0.1:6379';
const handler = (): void => undefined;

function invalidOption(action: () => unknown): { code?: string; option?: string; message?: string } {
  try {
    action();
  } catch (err) {
    return err as { code?: string; option?: string; message?: string };
  }
  throw new Error('expected an error');
}

describe('resolveSubscriberOptions', () => {
  it('documents its defaults and derives the heartbeat and claim interval from claimIdleMs', () => {
    const resolved = resolveSubscriberOptions({ connection: URL, group: 'applier', handler });
    expect(resolved).toMatchObject({
      prefix: 'modsync:events',
      startFrom: 'oldest',
      batchSize: 32,
      blockMs: 5_000,
      concurrency: 1,
      maxDeliveries: 5,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 30_000,
      claimIdleMs: 30_000,
      claimIntervalMs: 15_000,
      heartbeatIntervalMs: 10_000,
      deadLetterMaxLen: 10_000,
    });
    expect(resolved.consumer).toMatch(/^\S+-\d+-[0-9a-f]{8}$/);
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('keeps given values and ignores undefined ones', () => {
    const resolved = resolveSubscriberOptions({
      connection: URL,
      group: 'g',
      handler,
      claimIdleMs: 900,
      consumer: 'pod-0',
      batchSize: undefined,
    });
    expect(resolved).toMatchObject({
      claimIdleMs: 900,
      claimIntervalMs: 450,
      heartbeatIntervalMs: 300,
      consumer: 'pod-0',
      batchSize: 32,
    });
  });

  const base: EventSubscriberOptions = { connection: URL, group: 'g', handler };
  it.each([
    ['connection', { ...base, connection: undefined as never }],
    ['connection', { ...base, connection: 'http://127.0.0.1:6379' }],
    ['connection', { ...base, connection: 'not a url' }],
    ['connection', { ...base, connection: { duplicate: () => undefined, options: { keyPrefix: 'x:' } } as never }],
    ['group', { ...base, group: '' }],
    ['group', { ...base, group: 'has space' }],
    ['handler', { ...base, handler: 'nope' as never }],
    ['prefix', { ...base, prefix: '{tagged}' }],
    ['consumer', { ...base, consumer: 'a b' }],
    ['startFrom', { ...base, startFrom: 'latest' as never }],
    ['batchSize', { ...base, batchSize: 0 }],
    ['blockMs', { ...base, blockMs: 1.5 }],
    ['concurrency', { ...base, concurrency: -1 }],
    ['maxDeliveries', { ...base, maxDeliveries: 0 }],
    ['claimIdleMs', { ...base, claimIdleMs: 10 }],
    ['retryMaxDelayMs', { ...base, retryBaseDelayMs: 1_000, retryMaxDelayMs: 10 }],
    ['random', { ...base, random: 0.5 as never }],
  ])('names %s when it is wrong', (option, options) => {
    expect(invalidOption(() => resolveSubscriberOptions(options))).toMatchObject({
      code: EVENTS_ERROR_CODES.invalidOption,
      option,
    });
  });

  it.each([
    ['count', 'batchSize'],
    ['maxRetries', 'maxDeliveries'],
    ['minIdleTime', 'claimIdleMs'],
    ['redis', 'connection'],
    ['keyPrefix', 'prefix'],
  ])('names the replacement of %s', (retired, replacement) => {
    const error = invalidOption(() => resolveSubscriberOptions({ ...base, [retired]: 1 } as never));
    expect(error).toMatchObject({ code: EVENTS_ERROR_CODES.invalidOption, option: retired });
    expect(error.message).toContain(`use ${replacement}`);
  });

  it('rejects unknown names', () => {
    expect(invalidOption(() => resolveSubscriberOptions({ ...base, grup: 'x' } as never))).toMatchObject({
      option: 'grup',
    });
  });
});

describe('resolvePublisherOptions', () => {
  it('documents its defaults', () => {
    const resolved = resolvePublisherOptions({ connection: URL });
    expect(resolved).toMatchObject({ prefix: 'modsync:events', maxLen: 100_000 });
    expect(resolved.now()).toBeInstanceOf(Date);
    expect(resolved.generateId()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['maxLen', { connection: URL, maxLen: 0 }],
    ['now', { connection: URL, now: 'today' as never }],
    ['connection', { connection: 42 as never }],
    ['maxlen', { connection: URL, maxlen: 5 } as never],
  ])('names %s when it is wrong', (option, options) => {
    expect(invalidOption(() => resolvePublisherOptions(options))).toMatchObject({
      code: EVENTS_ERROR_CODES.invalidOption,
      option,
    });
  });

  it('rejects subscriber-only options', () => {
    expect(invalidOption(() => resolvePublisherOptions({ connection: URL, group: 'g' } as never))).toMatchObject({
      option: 'group',
    });
  });
});
