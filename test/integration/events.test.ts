// @modsync/events against the real Redis of the environment (with its password). Each test has its own key prefix,
// deleted afterwards; waits are on conditions with deadlines.
import diagnosticsChannel from 'node:diagnostics_channel';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  EVENTS_CHANNELS,
  EventInvalidError,
  EventPublisher,
  EventSubscriber,
  decodeEvent,
  eventKeys,
  readDeadLetters,
  type DiscoveryEvent,
  type DiscoveryEventInput,
  type EventContext,
  type EventDeadLetteredMessage,
  type EventHandlerErrorMessage,
  type EventInvalidMessage,
  type EventSubscriberOptions,
  type EventsReclaimedMessage,
} from '@modsync/events';
import { useEnvironment, waitFor } from '../env/index.ts';

const env = useEnvironment();

const DIGEST = `sha256:${'c'.repeat(64)}`;
const DEADLINE_MS = 15_000;

let admin: Redis;
const cleanups: Array<() => Promise<void> | void> = [];
const prefixes: string[] = [];

beforeAll(() => {
  admin = new Redis(env.redis!.url);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const prefix of prefixes.splice(0)) {
    const keys = await admin.keys(`{${prefix}}*`);
    if (keys.length > 0) await admin.del(...keys);
  }
});

afterAll(async () => {
  await admin.quit();
});

function uniquePrefix(): string {
  const prefix = `test-events-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  return prefix;
}

function publisher(prefix: string, extra: { maxLen?: number; connection?: Redis } = {}): EventPublisher {
  const p = new EventPublisher({ connection: env.redis!.url, prefix, ...extra });
  cleanups.push(() => p.close());
  return p;
}

/** A started subscriber, closed after the test. */
async function subscriber(
  options: Omit<EventSubscriberOptions, 'connection'> & { connection?: Redis },
): Promise<EventSubscriber> {
  const s = new EventSubscriber({ connection: env.redis!.url, ...options });
  cleanups.push(() => s.close());
  await s.start();
  return s;
}

/** Messages published on a diagnostics channel during the test. */
function recorded<T>(name: string): T[] {
  const seen: T[] = [];
  const listener = (message: unknown): void => void seen.push(message as T);
  diagnosticsChannel.subscribe(name, listener);
  cleanups.push(() => void diagnosticsChannel.unsubscribe(name, listener));
  return seen;
}

function appeared(module: string, patch = 0, source = 'example'): DiscoveryEventInput {
  return {
    type: 'module.appeared',
    source,
    module,
    state: { present: true, channels: { Stable: { version: `v1.0.${patch}`, checksum: DIGEST } }, pullError: null },
  };
}

function modules(count: number, name = 'module'): DiscoveryEventInput[] {
  return Array.from({ length: count }, (_, i) => appeared(`${name}-${i}`));
}

async function pendingCount(prefix: string, group: string): Promise<number> {
  const [count] = (await admin.call('XPENDING', eventKeys(prefix).stream, group)) as [number];
  return Number(count);
}

function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  return waitFor(what, async () => check(), DEADLINE_MS, 20);
}

describe('EventPublisher', () => {
  it('adds versioned events with a seq that strictly increases per module, across publisher replicas', async () => {
    const prefix = uniquePrefix();
    const first = publisher(prefix);
    const second = publisher(prefix, { connection: admin }); // a shared client: used as is, never closed
    const a = await first.publishAll([appeared('alpha', 1), appeared('alpha', 2), appeared('beta', 1)]);
    const b = await second.publish(appeared('alpha', 3));

    const alpha = [...a.filter((p) => p.event.module === 'alpha'), b].map((p) => p.event.seq);
    expect(alpha).toEqual([...alpha].sort((x, y) => x - y));
    expect(new Set(alpha).size).toBe(3);

    const entries = (await admin.xrange(eventKeys(prefix).stream, '-', '+')) as Array<[string, string[]]>;
    expect(entries.map(([id]) => id)).toEqual([...a, b].map((p) => p.entryId));
    for (const [i, [, fields]] of entries.entries()) {
      expect(fields[0]).toBe('event');
      expect(fields[1]).toMatch(/^\{"v":1,"seq":\d+,"id":/);
      expect(decodeEvent(fields[1]!)).toEqual([...a, b][i]!.event);
    }
    await second.close();
    expect(await admin.ping()).toBe('PONG');
  });

  it('validates every event before publishing any', async () => {
    const prefix = uniquePrefix();
    const p = publisher(prefix);
    await expect(p.publishAll([appeared('ok'), appeared('Not_Valid')])).rejects.toBeInstanceOf(EventInvalidError);
    expect(await admin.exists(eventKeys(prefix).stream)).toBe(0);
  });

  it('trims the stream to about maxLen', async () => {
    const prefix = uniquePrefix();
    await publisher(prefix, { maxLen: 50 }).publishAll(modules(400));
    const length = await admin.xlen(eventKeys(prefix).stream);
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThan(200);
  });
});

describe('EventSubscriber', () => {
  it('delivers every event to every group, in order per module', async () => {
    const prefix = uniquePrefix();
    const seen = { applier: [] as DiscoveryEvent[], tail: [] as DiscoveryEvent[] };
    // One from a URL, one from a client (which it duplicates for its own connections).
    await subscriber({ prefix, group: 'applier', handler: (event) => void seen.applier.push(event) });
    await subscriber({ prefix, group: 'tail', connection: admin, handler: (event) => void seen.tail.push(event) });
    const events = [
      ...modules(10),
      ...modules(10).map((e, i) => ({ ...appeared(`module-${i}`, 1), id: `second-${i}` })),
    ];
    const published = await publisher(prefix).publishAll(events);

    await until('both groups saw all 20 events', () => seen.applier.length === 20 && seen.tail.length === 20);
    for (const group of ['applier', 'tail'] as const) {
      expect(seen[group].map((e) => e.id).sort()).toEqual(published.map((p) => p.event.id).sort());
      for (let i = 0; i < 10; i += 1) {
        const ofModule = seen[group].filter((e) => e.module === `module-${i}`);
        expect(ofModule.map((e) => e.state.present && e.state.channels.Stable?.version)).toEqual(['v1.0.0', 'v1.0.1']);
      }
      await until(`${group} acked everything`, async () => (await pendingCount(prefix, group)) === 0);
    }
  });

  it('shares the events of one group between its consumers, each handled once', async () => {
    const prefix = uniquePrefix();
    const byConsumer = new Map<string, string[]>();
    // Each consumer holds its first event until the other has one too: the group must hand events to both (a group
    // that gave every event to one consumer would hang here and fail the wait below).
    const started = new Set<string>();
    const { promise: bothStarted, resolve: startBoth } = Promise.withResolvers<void>();
    const handler = async (event: DiscoveryEvent, context: EventContext): Promise<void> => {
      started.add(context.consumer);
      if (started.size === 2) startBoth();
      await bothStarted;
      byConsumer.set(context.consumer, [...(byConsumer.get(context.consumer) ?? []), event.id]);
    };
    await subscriber({ prefix, group: 'applier', consumer: 'pod-a', batchSize: 2, handler });
    await subscriber({ prefix, group: 'applier', consumer: 'pod-b', batchSize: 2, handler });
    const published = await publisher(prefix).publishAll(modules(40));

    const all = (): string[] => [...byConsumer.values()].flat();
    await until('40 events handled', () => all().length >= 40);
    expect(all().sort()).toEqual(published.map((p) => p.event.id).sort());
    expect(byConsumer.get('pod-a')?.length).toBeGreaterThan(0);
    expect(byConsumer.get('pod-b')?.length).toBeGreaterThan(0);
    await until('all acked', async () => (await pendingCount(prefix, 'applier')) === 0);
  });

  it('takes over the pending entries of a consumer that died without acking', async () => {
    const prefix = uniquePrefix();
    const { stream } = eventKeys(prefix);
    const published = await publisher(prefix).publishAll(modules(5));
    // A consumer reads them and dies before acking.
    await admin.call('XGROUP', 'CREATE', stream, 'applier', '0', 'MKSTREAM');
    await admin.call('XREADGROUP', 'GROUP', 'applier', 'dead-pod', 'COUNT', 10, 'STREAMS', stream, '>');
    expect(await pendingCount(prefix, 'applier')).toBe(5);

    const reclaimed = recorded<EventsReclaimedMessage>(EVENTS_CHANNELS.reclaimed);
    const handled: Array<{ id: string; deliveries: number }> = [];
    await subscriber({
      prefix,
      group: 'applier',
      consumer: 'rescuer',
      claimIdleMs: 300,
      claimIntervalMs: 50,
      handler: (event, context) => void handled.push({ id: event.id, deliveries: context.deliveries }),
    });

    await until('the dead consumer’s entries were handled', () => handled.length === 5);
    expect(handled.map((h) => h.id).sort()).toEqual(published.map((p) => p.event.id).sort());
    expect(handled.every((h) => h.deliveries === 2)).toBe(true);
    expect(
      reclaimed
        .filter((m) => m.stream === stream)
        .flatMap((m) => m.entryIds)
        .sort(),
    ).toEqual(published.map((p) => p.entryId).sort());
    await until('all acked', async () => (await pendingCount(prefix, 'applier')) === 0);
  });

  it('keeps a slow handler’s entry from being taken over while its consumer lives', async () => {
    const prefix = uniquePrefix();
    const calls: string[] = [];
    let done = 0;
    const handler = async (_event: DiscoveryEvent, context: EventContext): Promise<void> => {
      calls.push(context.consumer);
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // four times claimIdleMs
      done += 1;
    };
    // The owner never runs a claim pass of its own during the test: only its heartbeat keeps the entry.
    await subscriber({
      prefix,
      group: 'applier',
      consumer: 'owner',
      claimIdleMs: 300,
      claimIntervalMs: 60_000,
      handler,
    });
    await publisher(prefix).publish(appeared('slow'));
    await until('the owner started the handler', () => calls.length === 1);
    const reclaimed = recorded<EventsReclaimedMessage>(EVENTS_CHANNELS.reclaimed);
    await subscriber({ prefix, group: 'applier', consumer: 'thief', claimIdleMs: 300, claimIntervalMs: 20, handler });

    await until('the slow handler finished', () => done === 1);
    expect(calls).toEqual(['owner']);
    expect(reclaimed.filter((m) => m.entryIds.length > 0)).toEqual([]);
    await until('acked', async () => (await pendingCount(prefix, 'applier')) === 0);
  });

  it('retries a failing handler, then dead-letters the entry with its error after maxDeliveries', async () => {
    const prefix = uniquePrefix();
    const errors = recorded<EventHandlerErrorMessage>(EVENTS_CHANNELS.handlerError);
    const deadLettered = recorded<EventDeadLetteredMessage>(EVENTS_CHANNELS.deadLettered);
    const attempts = new Map<string, number[]>();
    const handled: string[] = [];
    await subscriber({
      prefix,
      group: 'applier',
      maxDeliveries: 3,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 100,
      handler: (event, context) => {
        attempts.set(event.module, [...(attempts.get(event.module) ?? []), context.deliveries]);
        if (event.module === 'poison') throw Object.assign(new Error('cannot apply poison'), { code: 'E_POISON' });
        if (event.module === 'flaky' && context.deliveries < 3) throw new Error('API server busy');
        handled.push(event.module);
      },
    });
    const [poison] = await publisher(prefix).publishAll([appeared('poison'), appeared('flaky'), appeared('fine')]);

    await until(
      'the poison was dead-lettered and the others handled',
      () => deadLettered.length === 1 && handled.length === 2,
    );
    expect(attempts.get('poison')).toEqual([1, 2, 3]);
    expect(attempts.get('flaky')).toEqual([1, 2, 3]);
    expect(attempts.get('fine')).toEqual([1]);
    expect(errors.filter((e) => e.module === 'poison').map((e) => e.willRetry)).toEqual([true, true, false]);
    expect(deadLettered[0]).toMatchObject({ entryId: poison!.entryId, deliveries: 3, code: 'E_POISON' });

    const [letter, ...more] = await readDeadLetters(admin, { prefix, group: 'applier' });
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      entryId: poison!.entryId,
      group: 'applier',
      deliveries: 3,
      errorName: 'Error',
      errorCode: 'E_POISON',
      errorMessage: 'cannot apply poison',
    });
    expect(decodeEvent(letter!.event)).toEqual(poison!.event);
    await until('nothing left pending', async () => (await pendingCount(prefix, 'applier')) === 0);
  });

  it('holds back later events of a module while one of its events waits to retry, and lets other modules pass', async () => {
    const prefix = uniquePrefix();
    const log: string[] = [];
    await subscriber({
      prefix,
      group: 'applier',
      concurrency: 1,
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 200,
      handler: (event, context) => {
        const name = `${event.module}@${event.state.present ? event.state.channels.Stable?.version : 'gone'}`;
        if (name === 'busy@v1.0.1' && context.deliveries < 3) {
          log.push(`${name} failed`);
          throw new Error('conflict');
        }
        log.push(name);
      },
    });
    await publisher(prefix).publishAll([appeared('busy', 1), appeared('busy', 2), appeared('other', 1)]);

    await until('all three handled', () => log.filter((line) => !line.endsWith('failed')).length === 3);
    expect(log).toEqual(['busy@v1.0.1 failed', 'other@v1.0.1', 'busy@v1.0.1 failed', 'busy@v1.0.1', 'busy@v1.0.2']);
  });

  it('resumes after a restart without losing or repeating events', async () => {
    const prefix = uniquePrefix();
    const pub = publisher(prefix);
    const handled: string[] = [];
    const options = {
      prefix,
      group: 'applier',
      consumer: 'pod-0',
      handler: (event: DiscoveryEvent) => void handled.push(event.id),
    };

    const before = await pub.publishAll(modules(5, 'before'));
    const first = await subscriber(options);
    await until('the first five were handled', () => handled.length === 5);
    await first.close();

    const during = await pub.publishAll(modules(5, 'during')); // nobody is reading
    await subscriber(options);
    const after = await pub.publishAll(modules(5, 'after'));

    await until('all fifteen were handled', () => handled.length >= 15);
    expect(handled.sort()).toEqual([...before, ...during, ...after].map((p) => p.event.id).sort());
    await until('all acked', async () => (await pendingCount(prefix, 'applier')) === 0);
  });

  it('takes back its own pending entries at once when restarted under the same name', async () => {
    const prefix = uniquePrefix();
    const { stream } = eventKeys(prefix);
    const published = await publisher(prefix).publishAll(modules(3));
    await admin.call('XGROUP', 'CREATE', stream, 'applier', '0', 'MKSTREAM');
    // pod-1 read them, then its process was killed.
    await admin.call('XREADGROUP', 'GROUP', 'applier', 'pod-1', 'COUNT', 10, 'STREAMS', stream, '>');

    const handled: Array<{ id: string; deliveries: number }> = [];
    await subscriber({
      prefix,
      group: 'applier',
      consumer: 'pod-1',
      claimIdleMs: 60_000, // far longer than the test: only the restart recovery can pick them up
      handler: (event, context) => void handled.push({ id: event.id, deliveries: context.deliveries }),
    });
    await until('the three were handled', () => handled.length === 3);
    expect(handled.map((h) => h.id).sort()).toEqual(published.map((p) => p.event.id).sort());
    expect(handled.every((h) => h.deliveries === 2)).toBe(true);
  });

  it('close() waits for the running handler and acks its entry', async () => {
    const prefix = uniquePrefix();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let aborted = false;
    const s = await subscriber({
      prefix,
      group: 'applier',
      handler: async (_event, context) => {
        started = true;
        context.signal.addEventListener('abort', () => (aborted = true));
        await gate;
      },
    });
    await publisher(prefix).publish(appeared('in-flight'));
    await until('the handler started', () => started);

    let closed = false;
    const closing = s.close().then(() => (closed = true));
    await until('the handler saw the abort signal', () => aborted);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(await pendingCount(prefix, 'applier')).toBe(0);
  });

  it('dead-letters entries of an unsupported version or an invalid shape, with a typed error, and goes on', async () => {
    const prefix = uniquePrefix();
    const { stream } = eventKeys(prefix);
    const invalid = recorded<EventInvalidMessage>(EVENTS_CHANNELS.invalidEvent);
    const handled: DiscoveryEvent[] = [];
    await subscriber({ prefix, group: 'applier', handler: (event) => void handled.push(event) });

    const future = JSON.stringify({
      v: 2,
      seq: 1,
      id: 'from-the-future',
      kind: 'module.renamed',
      source: 'example',
      module: 'm',
    });
    const v2 = (await admin.xadd(stream, '*', 'event', future))!;
    const garbage = (await admin.xadd(stream, '*', 'event', '{not json'))!;
    const fieldless = (await admin.xadd(stream, '*', 'other', 'x'))!;
    const good = await publisher(prefix).publish(appeared('fine'));

    await until('the valid event was handled', () => handled.length === 1);
    expect(handled[0]).toEqual(good.event);
    await until(
      'three dead letters',
      async () => (await readDeadLetters(admin, { prefix, group: 'applier' })).length === 3,
    );
    const letters = await readDeadLetters(admin, { prefix, group: 'applier' });
    expect(letters.map((l) => [l.entryId, l.errorCode])).toEqual([
      [v2, 'MODSYNC_EVENTS_UNSUPPORTED_VERSION'],
      [garbage, 'MODSYNC_EVENTS_INVALID_EVENT'],
      [fieldless, 'MODSYNC_EVENTS_INVALID_EVENT'],
    ]);
    expect(letters[0]!.event).toBe(future);
    expect(invalid.filter((m) => m.stream === stream).map((m) => m.code)).toEqual([
      'MODSYNC_EVENTS_UNSUPPORTED_VERSION',
      'MODSYNC_EVENTS_INVALID_EVENT',
      'MODSYNC_EVENTS_INVALID_EVENT',
    ]);
    await until('nothing left pending', async () => (await pendingCount(prefix, 'applier')) === 0);
  });
});
