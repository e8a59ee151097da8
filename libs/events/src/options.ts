// Publisher and subscriber options: documented defaults, validated once at construction (naming the option, and the
// replacement of a name people reach for), dependents derived, the result frozen (style.md, "For modsync" 6).
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import { EventsInvalidOptionError } from './errors.ts';
import { DEFAULT_EVENTS_PREFIX, isValidGroupName, isValidPrefix } from './keys.ts';
import type { DiscoveryEvent } from './schema.ts';

/**
 * An ioredis client (one server, also behind Sentinel, or a Cluster: every key of a prefix is in one slot), or a
 * `redis://[:password@]host:port[/db]` (`rediss://` for TLS) URL. A client is never closed by this lib and must have no
 * `keyPrefix` (use `prefix`); from a URL the lib makes its own clients and closes them.
 */
type EventsConnection = Redis | Cluster | string;

export interface EventPublisherOptions {
  /** Where to publish. A client given here is used as is (publishing does not block, so it may be shared). */
  connection: EventsConnection;
  /** Key prefix; tests use a unique one. @defaultValue `'modsync:events'` */
  prefix?: string;
  /** Approximate bound of the stream (`XADD … MAXLEN ~`); older entries are trimmed. @defaultValue 100_000 */
  maxLen?: number;
  /** Clock for events published without `at`. @defaultValue `() => new Date()` */
  now?: () => Date;
  /** Id for events published without `id`. @defaultValue `crypto.randomUUID` */
  generateId?: () => string;
}

export interface ResolvedEventPublisherOptions {
  readonly connection: EventsConnection;
  readonly prefix: string;
  readonly maxLen: number;
  readonly now: () => Date;
  readonly generateId: () => string;
}

/** What a handler learns about the delivery besides the event. */
export interface EventContext {
  /** The stream entry id (`<ms>-<n>`). */
  readonly entryId: string;
  /** How many times the entry has been delivered to this group, this delivery included (1 the first time). */
  readonly deliveries: number;
  readonly group: string;
  readonly consumer: string;
  /** Aborted when `close()` is called: a long handler may stop early (the entry is then redelivered). */
  readonly signal: AbortSignal;
}

/** Handles one event. Resolving acknowledges the entry; throwing leaves it pending for a retry. */
type EventHandler = (event: DiscoveryEvent, context: EventContext) => void | Promise<void>;

export interface EventSubscriberOptions {
  /** Where to read. The subscriber always opens its own two connections (one for the blocking read). */
  connection: EventsConnection;
  /** Consumer group. Each group sees every event; the consumers of one group share them. */
  group: string;
  /** Called once per delivery. Must be idempotent: delivery is at least once. */
  handler: EventHandler;
  /** Key prefix, as the publisher's. @defaultValue `'modsync:events'` */
  prefix?: string;
  /**
   * This consumer's name within the group; unique among live consumers. A stable name (a pod name) lets a restarted
   * consumer take back its own pending entries at once. @defaultValue `<hostname>-<pid>-<random>`
   */
  consumer?: string;
  /** Where a group created by this subscriber starts: every retained entry, or only new ones. @defaultValue `'oldest'` */
  startFrom?: 'oldest' | 'newest';
  /** Entries read or claimed per command, and the most waiting locally. @defaultValue 32 */
  batchSize?: number;
  /** How long one blocking read waits for new entries. @defaultValue 5_000 */
  blockMs?: number;
  /** Handlers running at once; events of one (source, module) still run one at a time, in stream order. @defaultValue 1 */
  concurrency?: number;
  /** Deliveries of an entry whose handler fails before it goes to the dead-letter stream. @defaultValue 5 */
  maxDeliveries?: number;
  /** First delay before retrying a failed entry; doubles each delivery, with equal jitter. @defaultValue 500 */
  retryBaseDelayMs?: number;
  /** Retry delay cap. @defaultValue 30_000 */
  retryMaxDelayMs?: number;
  /**
   * An entry pending this long without a sign of life is taken over by another consumer (its owner is presumed dead).
   * Owners renew their in-flight entries every `claimIdleMs / 3`. @defaultValue 30_000
   */
  claimIdleMs?: number;
  /** How often this consumer looks for such entries. @defaultValue `claimIdleMs / 2` */
  claimIntervalMs?: number;
  /** Approximate bound of the group's dead-letter stream. @defaultValue 10_000 */
  deadLetterMaxLen?: number;
  /** Source of jitter, in [0, 1). @defaultValue `Math.random` */
  random?: () => number;
}

export interface ResolvedEventSubscriberOptions {
  readonly connection: EventsConnection;
  readonly group: string;
  readonly handler: EventHandler;
  readonly prefix: string;
  readonly consumer: string;
  readonly startFrom: 'oldest' | 'newest';
  readonly batchSize: number;
  readonly blockMs: number;
  readonly concurrency: number;
  readonly maxDeliveries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly claimIdleMs: number;
  readonly claimIntervalMs: number;
  /** Derived: how often in-flight entries are renewed, `claimIdleMs / 3`. */
  readonly heartbeatIntervalMs: number;
  readonly deadLetterMaxLen: number;
  readonly random: () => number;
}

const DEFAULT_PUBLISHER_OPTIONS = Object.freeze({
  prefix: DEFAULT_EVENTS_PREFIX,
  maxLen: 100_000,
});

const DEFAULT_SUBSCRIBER_OPTIONS = Object.freeze({
  prefix: DEFAULT_EVENTS_PREFIX,
  startFrom: 'oldest' as const,
  batchSize: 32,
  blockMs: 5_000,
  concurrency: 1,
  maxDeliveries: 5,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
  claimIdleMs: 30_000,
  deadLetterMaxLen: 10_000,
});

/** Names people reach for, and the option that replaced them. */
const RENAMED: Readonly<Record<string, string>> = {
  redis: 'connection',
  client: 'connection',
  url: 'connection',
  keyPrefix: 'prefix',
  streamKey: 'prefix',
  maxlen: 'maxLen',
  maxLength: 'maxLen',
  groupName: 'group',
  consumerGroup: 'group',
  consumerName: 'consumer',
  name: 'consumer',
  count: 'batchSize',
  block: 'blockMs',
  blockTimeout: 'blockMs',
  maxRetries: 'maxDeliveries',
  maxAttempts: 'maxDeliveries',
  attempts: 'maxDeliveries',
  minIdleTime: 'claimIdleMs',
  idleTimeout: 'claimIdleMs',
  claimIdle: 'claimIdleMs',
  stalledInterval: 'claimIntervalMs',
  claimInterval: 'claimIntervalMs',
  retryDelay: 'retryBaseDelayMs',
  backoff: 'retryBaseDelayMs',
};

const PUBLISHER_KEYS = new Set(['connection', 'prefix', 'maxLen', 'now', 'generateId']);
const SUBSCRIBER_KEYS = new Set([
  'connection',
  'group',
  'handler',
  'prefix',
  'consumer',
  'startFrom',
  'batchSize',
  'blockMs',
  'concurrency',
  'maxDeliveries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'claimIdleMs',
  'claimIntervalMs',
  'deadLetterMaxLen',
  'random',
]);

function checkNames(options: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (known.has(key)) continue;
    const replacement = RENAMED[key];
    if (replacement !== undefined && known.has(replacement)) {
      throw new EventsInvalidOptionError(key, `not an option; use ${replacement}`);
    }
    throw new EventsInvalidOptionError(key, 'unknown option');
  }
}

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new EventsInvalidOptionError(name, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function fn<T>(name: string, value: unknown): T {
  if (typeof value !== 'function') throw new EventsInvalidOptionError(name, 'must be a function');
  return value as T;
}

function connection(value: unknown): EventsConnection {
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new EventsInvalidOptionError('connection', 'must be an ioredis client or a redis:// URL');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new EventsInvalidOptionError('connection', `URL scheme must be redis: or rediss:, got ${url.protocol}`);
    }
    return value;
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { duplicate?: unknown }).duplicate !== 'function'
  ) {
    throw new EventsInvalidOptionError('connection', 'must be an ioredis client or a redis:// URL');
  }
  const keyPrefix = (value as { options?: { keyPrefix?: unknown } }).options?.keyPrefix;
  if (typeof keyPrefix === 'string' && keyPrefix !== '') {
    throw new EventsInvalidOptionError(
      'connection',
      'the client has a keyPrefix; give a client without one and use prefix',
    );
  }
  return value as Redis | Cluster;
}

function prefix(value: unknown): string {
  if (typeof value !== 'string' || !isValidPrefix(value)) {
    throw new EventsInvalidOptionError(
      'prefix',
      'must be 1–100 characters of A-Za-z0-9._:- starting with a letter or digit',
    );
  }
  return value;
}

/** Merges defaults under `options`, validates every field, freezes. Throws EventsInvalidOptionError. */
export function resolvePublisherOptions(options: EventPublisherOptions): ResolvedEventPublisherOptions {
  if (typeof options !== 'object' || options === null)
    throw new EventsInvalidOptionError('options', 'must be an object');
  checkNames(options, PUBLISHER_KEYS);
  const merged = {
    ...DEFAULT_PUBLISHER_OPTIONS,
    now: () => new Date(),
    generateId: randomUUID,
    ...stripUndefined(options),
  };
  return Object.freeze({
    connection: connection(merged.connection),
    prefix: prefix(merged.prefix),
    maxLen: integer('maxLen', merged.maxLen, 1),
    now: fn<() => Date>('now', merged.now),
    generateId: fn<() => string>('generateId', merged.generateId),
  });
}

/** Merges defaults under `options`, validates every field, derives the heartbeat, freezes. Throws EventsInvalidOptionError. */
export function resolveSubscriberOptions(options: EventSubscriberOptions): ResolvedEventSubscriberOptions {
  if (typeof options !== 'object' || options === null)
    throw new EventsInvalidOptionError('options', 'must be an object');
  checkNames(options, SUBSCRIBER_KEYS);
  const merged = {
    ...DEFAULT_SUBSCRIBER_OPTIONS,
    consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
    random: Math.random,
    ...stripUndefined(options),
  };
  if (typeof merged.group !== 'string' || !isValidGroupName(merged.group)) {
    throw new EventsInvalidOptionError(
      'group',
      'must be 1–128 characters of A-Za-z0-9._:- starting with a letter or digit',
    );
  }
  if (typeof merged.consumer !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(merged.consumer)) {
    throw new EventsInvalidOptionError('consumer', 'must be 1–200 printable ASCII characters without spaces');
  }
  if (merged.startFrom !== 'oldest' && merged.startFrom !== 'newest') {
    throw new EventsInvalidOptionError('startFrom', `must be 'oldest' or 'newest', got ${String(merged.startFrom)}`);
  }
  const claimIdleMs = integer('claimIdleMs', merged.claimIdleMs, 30);
  const retryBaseDelayMs = integer('retryBaseDelayMs', merged.retryBaseDelayMs, 0);
  const retryMaxDelayMs = integer('retryMaxDelayMs', merged.retryMaxDelayMs, 0);
  if (retryMaxDelayMs < retryBaseDelayMs) {
    throw new EventsInvalidOptionError('retryMaxDelayMs', `must be at least retryBaseDelayMs (${retryBaseDelayMs})`);
  }
  return Object.freeze({
    connection: connection(merged.connection),
    group: merged.group,
    handler: fn<EventHandler>('handler', merged.handler),
    prefix: prefix(merged.prefix),
    consumer: merged.consumer,
    startFrom: merged.startFrom,
    batchSize: integer('batchSize', merged.batchSize, 1, 10_000),
    blockMs: integer('blockMs', merged.blockMs, 1),
    concurrency: integer('concurrency', merged.concurrency, 1, 10_000),
    maxDeliveries: integer('maxDeliveries', merged.maxDeliveries, 1),
    retryBaseDelayMs,
    retryMaxDelayMs,
    claimIdleMs,
    claimIntervalMs: integer('claimIntervalMs', merged.claimIntervalMs ?? Math.floor(claimIdleMs / 2), 1),
    heartbeatIntervalMs: Math.floor(claimIdleMs / 3),
    deadLetterMaxLen: integer('deadLetterMaxLen', merged.deadLetterMaxLen, 1),
    random: fn<() => number>('random', merged.random),
  });
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
