// The lib does not log (style.md, "For modsync" 9): it publishes on node:diagnostics_channel and services subscribe
// (a pino logger, Prometheus counters). Messages are plain data; errors are passed as they are, in `err`.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { DiscoveryEventType } from './schema.ts';

export const EVENTS_CHANNELS = {
  /** An event was added to the stream. */
  published: 'modsync:events:published',
  /** A handler finished and the entry was acknowledged. */
  handled: 'modsync:events:handled',
  /** A handler threw; `willRetry` says whether the entry stays pending for another attempt. */
  handlerError: 'modsync:events:handler-error',
  /** An entry could not be read as an event (unsupported version, invalid) and goes to the dead letters. */
  invalidEvent: 'modsync:events:invalid-event',
  /** An entry was moved to the group's dead-letter stream and acknowledged. */
  deadLettered: 'modsync:events:dead-lettered',
  /** Pending entries idle past `claimIdleMs` (a dead or stuck consumer's) were taken over. */
  reclaimed: 'modsync:events:reclaimed',
  /** A Redis command of the subscriber failed; it retries with backoff. */
  redisError: 'modsync:events:redis-error',
} as const;

export interface EventPublishedMessage {
  readonly stream: string;
  readonly entryId: string;
  readonly id: string;
  readonly type: DiscoveryEventType;
  readonly source: string;
  readonly module: string;
  readonly seq: number;
}

interface ConsumerFields {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
}

export interface EventHandledMessage extends ConsumerFields {
  readonly entryId: string;
  readonly id: string;
  readonly type: DiscoveryEventType;
  readonly source: string;
  readonly module: string;
  readonly deliveries: number;
  readonly durationMs: number;
}

export interface EventHandlerErrorMessage extends ConsumerFields {
  readonly entryId: string;
  readonly id: string;
  readonly type: DiscoveryEventType;
  readonly source: string;
  readonly module: string;
  readonly deliveries: number;
  readonly durationMs: number;
  readonly willRetry: boolean;
  /** Delay before the next attempt, when `willRetry`. */
  readonly retryInMs: number | undefined;
  readonly err: unknown;
}

export interface EventInvalidMessage extends ConsumerFields {
  readonly entryId: string;
  /** `MODSYNC_EVENTS_UNSUPPORTED_VERSION` or `MODSYNC_EVENTS_INVALID_EVENT`. */
  readonly code: string;
  readonly err: unknown;
}

export interface EventDeadLetteredMessage extends ConsumerFields {
  readonly deadLetterStream: string;
  readonly entryId: string;
  readonly deliveries: number;
  /** The error's `code` when it has one, else its `name`. */
  readonly code: string;
  readonly err: unknown;
}

export interface EventsReclaimedMessage extends ConsumerFields {
  readonly entryIds: readonly string[];
  /** Pending entries that were trimmed from the stream before anyone handled them (lost; a full resync covers them). */
  readonly trimmedEntryIds: readonly string[];
}

export interface EventsRedisErrorMessage extends ConsumerFields {
  /** `read`, `claim`, `heartbeat`, `ack`, `dead-letter`, `retry`, `create-group`. */
  readonly op: string;
  readonly err: unknown;
}

export const publishedChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.published);
export const handledChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.handled);
export const handlerErrorChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.handlerError);
export const invalidEventChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.invalidEvent);
export const deadLetteredChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.deadLettered);
export const reclaimedChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.reclaimed);
export const redisErrorChannel = diagnosticsChannel.channel(EVENTS_CHANNELS.redisError);
