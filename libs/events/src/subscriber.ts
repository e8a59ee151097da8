// Consumes discovery events as one consumer of a consumer group (Redis Streams).
//
// - Reads new entries with a blocking XREADGROUP on a connection of its own; commands (ack, claim, dead-letter) use a
//   second one, so they never wait behind the block.
// - Runs the handler, then XACKs. A handler that throws leaves the entry pending; this consumer retries it after a
//   backoff, taking it again with XCLAIM so Redis counts the delivery. Meanwhile later events of the same module wait
//   (one consumer applies a module's events in stream order); other modules go on. After `maxDeliveries` failed
//   deliveries the entry goes to the group's dead-letter stream with the error and is acked (one MULTI: both or neither).
// - Entries this consumer holds (in flight, queued, waiting for a retry) are renewed every `claimIdleMs / 3`
//   (XCLAIM … JUSTID, which does not count a delivery). Entries of other consumers idle for `claimIdleMs` — their owner
//   died or hangs — are taken over with XAUTOCLAIM. Every entry may therefore run twice: handlers are idempotent.
// - An entry that is not a readable event (unsupported version, invalid) is dead-lettered at once: retrying cannot help.
// - `close()` stops reading, lets running handlers finish (their signal is aborted) and acks them, then disconnects.
//   Entries waiting to retry stay pending and are taken over later (at once by a consumer with the same name).
import { Cluster, Redis } from 'ioredis';
import { decodeEvent } from './codec.ts';
import { describeError, deadLetterFields } from './dead-letter.ts';
import {
  deadLetteredChannel,
  handledChannel,
  handlerErrorChannel,
  invalidEventChannel,
  reclaimedChannel,
  redisErrorChannel,
  type EventDeadLetteredMessage,
  type EventHandledMessage,
  type EventHandlerErrorMessage,
  type EventInvalidMessage,
  type EventsReclaimedMessage,
  type EventsRedisErrorMessage,
} from './diagnostics.ts';
import { EventInvalidError, EventTooManyDeliveriesError, EventsClosedError, EventsRedisError } from './errors.ts';
import { KeyedQueue, type TaskControl } from './keyed-queue.ts';
import { eventKeys, type EventKeys } from './keys.ts';
import { eventKey } from './ordering.ts';
import {
  resolveSubscriberOptions,
  type EventContext,
  type EventSubscriberOptions,
  type ResolvedEventSubscriberOptions,
} from './options.ts';
import { backoffDelayMs, sleep } from '@modsync/runtime/backoff';
import type { DiscoveryEvent } from './schema.ts';
import {
  parseAutoClaimReply,
  parseEntries,
  parsePendingReply,
  parseReadGroupReply,
  type StreamEntry,
} from './stream-reply.ts';

type State = 'new' | 'running' | 'closing' | 'closed';

/** Most ids per heartbeat XCLAIM. */
const HEARTBEAT_CHUNK = 500;
/** Most XAUTOCLAIM pages per claim pass. */
const CLAIM_PAGES = 10;

export class EventSubscriber {
  readonly options: ResolvedEventSubscriberOptions;
  readonly keys: EventKeys;
  readonly #deadLetterStream: string;
  readonly #reader: Redis | Cluster;
  readonly #commands: Redis | Cluster;
  readonly #queue: KeyedQueue;
  /** Entry ids this consumer holds: queued, running, or waiting to retry. Renewed by the heartbeat. */
  readonly #owned = new Set<string>();
  readonly #abort = new AbortController();
  #state: State = 'new';
  #startPromise: Promise<void> | undefined;
  #closePromise: Promise<void> | undefined;
  #readLoop: Promise<void> | undefined;
  #claiming: Promise<void> | undefined;
  #claimTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;

  /** Validates the options (throws EventsInvalidOptionError) and prepares the connections; `start()` connects. */
  constructor(options: EventSubscriberOptions) {
    this.options = resolveSubscriberOptions(options);
    this.keys = eventKeys(this.options.prefix);
    this.#deadLetterStream = this.keys.deadLetter(this.options.group);
    this.#queue = new KeyedQueue(this.options.concurrency);
    this.#reader = ownClient(this.options.connection);
    this.#commands = ownClient(this.options.connection);
  }

  /** This consumer's name in the group. */
  get consumer(): string {
    return this.options.consumer;
  }

  /**
   * Creates the group if it does not exist (with the stream), takes back this consumer's own pending entries (a restart
   * under the same name), then starts reading, claiming and renewing. Resolves once the group exists: events published
   * after that are seen. Throws EventsRedisError, EventsClosedError after `close()`.
   */
  start(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed')
      return Promise.reject(new EventsClosedError('EventSubscriber'));
    this.#startPromise ??= this.#start().catch((err: unknown) => {
      this.#startPromise = undefined; // a later start() tries again
      throw err;
    });
    return this.#startPromise;
  }

  async #start(): Promise<void> {
    await this.#ensureGroup();
    if (this.#state !== 'new') return;
    this.#state = 'running';
    await this.#recoverOwnPending();
    if (!this.#running()) return;
    this.#readLoop = this.#runReadLoop();
    this.#claimTimer = setInterval(() => this.#claimPass(), this.options.claimIntervalMs);
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.options.heartbeatIntervalMs);
    this.#claimPass();
  }

  /**
   * Stops cleanly: no new reads or claims, running handlers finish (their `signal` is aborted) and are acked, then the
   * connections close. Idempotent.
   */
  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    this.#state = 'closing';
    this.#abort.abort();
    clearInterval(this.#claimTimer);
    this.#reader.disconnect();
    await this.#startPromise?.catch(() => undefined);
    await this.#readLoop;
    await this.#claiming;
    await this.#queue.onIdle(); // the heartbeat keeps renewing what the running handlers hold
    clearInterval(this.#heartbeatTimer);
    this.#owned.clear();
    await closeClient(this.#commands);
    this.#state = 'closed';
  }

  #running(): boolean {
    return this.#state === 'running';
  }

  async #ensureGroup(): Promise<void> {
    const { group, startFrom } = this.options;
    try {
      await this.#commands.call(
        'XGROUP',
        'CREATE',
        this.keys.stream,
        group,
        startFrom === 'oldest' ? '0' : '$',
        'MKSTREAM',
      );
    } catch (err) {
      if (redisErrorCode(err) !== 'BUSYGROUP') throw new EventsRedisError('create-group', err);
    }
  }

  /** Entries left pending under this consumer's name by an earlier process: take them back now, not after claimIdleMs. */
  async #recoverOwnPending(): Promise<void> {
    const { group, consumer, batchSize } = this.options;
    let start = '-';
    for (let page = 0; page < CLAIM_PAGES && this.#running(); page += 1) {
      try {
        const pending = parsePendingReply(
          await this.#commands.call('XPENDING', this.keys.stream, group, start, '+', batchSize, consumer),
        );
        if (pending.length === 0) return;
        const claimed = parseEntries(
          await this.#commands.call('XCLAIM', this.keys.stream, group, consumer, 0, ...pending.map((p) => p.id)),
        );
        const deliveries = new Map(pending.map((p) => [p.id, p.deliveries + 1]));
        for (const entry of claimed) this.#accept(entry, deliveries.get(entry.id) ?? 1);
        if (pending.length < batchSize) return;
        start = `(${pending[pending.length - 1]!.id}`;
      } catch (err) {
        this.#redisError('recover', err);
        return;
      }
    }
  }

  async #runReadLoop(): Promise<void> {
    const { group, consumer, batchSize, blockMs } = this.options;
    let failures = 0;
    while (this.#running()) {
      await this.#queue.waitForSizeBelow(batchSize);
      if (!this.#running()) break;
      let reply: unknown;
      try {
        const room = batchSize - this.#queue.size;
        reply = await this.#reader.call(
          'XREADGROUP',
          'GROUP',
          group,
          consumer,
          'COUNT',
          room,
          'BLOCK',
          blockMs,
          'STREAMS',
          this.keys.stream,
          '>',
        );
        failures = 0;
      } catch (err) {
        if (!this.#running()) break;
        failures += 1;
        this.#redisError('read', err);
        // The stream (and its groups) was deleted: make them again, as at start.
        if (redisErrorCode(err) === 'NOGROUP')
          await this.#ensureGroup().catch((e: unknown) => this.#redisError('create-group', e));
        await this.#pause(
          backoffDelayMs(
            failures,
            this.options.retryBaseDelayMs || 100,
            Math.max(this.options.retryMaxDelayMs, 100),
            this.options.random(),
          ),
        );
        continue;
      }
      for (const entry of parseReadGroupReply(reply)) this.#accept(entry, 1);
    }
  }

  /** Queues an entry this consumer now holds, behind earlier events of the same module. */
  #accept(entry: StreamEntry, deliveries: number): void {
    if (this.#owned.has(entry.id) || !this.#running()) return;
    this.#owned.add(entry.id);
    let event: DiscoveryEvent;
    try {
      const text = entry.fields.event;
      if (text === undefined) throw new EventInvalidError(['event: the stream entry has no event field']);
      event = decodeEvent(text);
    } catch (err) {
      this.#queue.push(`entry:${entry.id}`, () => this.#rejectInvalid(entry, deliveries, err));
      return;
    }
    this.#queue.push(eventKey(event), (control) =>
      this.#handle(entry, event, deliveries, control).catch((err: unknown) => {
        this.#redisError('handle', err); // not expected: every step catches its own failures
        this.#owned.delete(entry.id);
      }),
    );
  }

  async #rejectInvalid(entry: StreamEntry, deliveries: number, err: unknown): Promise<void> {
    if (invalidEventChannel.hasSubscribers) {
      invalidEventChannel.publish({
        ...this.#fields(),
        entryId: entry.id,
        code: describeError(err).errorCode,
        err,
      } satisfies EventInvalidMessage);
    }
    await this.#deadLetter(entry, deliveries, err);
  }

  /**
   * Runs the handler until it succeeds (ack), fails `maxDeliveries` times (dead letter) or the subscriber closes (left
   * pending). Between attempts the task waits without a concurrency slot but keeps its module: later events of the same
   * module wait behind it, so one consumer applies a module's events in stream order.
   */
  async #handle(
    first: StreamEntry,
    firstEvent: DiscoveryEvent,
    firstDeliveries: number,
    control: TaskControl,
  ): Promise<void> {
    const { maxDeliveries } = this.options;
    let entry = first;
    const event = firstEvent;
    let deliveries = firstDeliveries;
    for (;;) {
      if (!this.#running()) {
        this.#owned.delete(entry.id); // left pending for whoever comes next
        return;
      }
      if (deliveries > maxDeliveries) {
        await this.#deadLetter(entry, deliveries, new EventTooManyDeliveriesError(deliveries, maxDeliveries));
        return;
      }
      const failure = await this.#attempt(entry, event, deliveries);
      if (failure === undefined) return;
      if (failure.retryInMs === undefined) {
        if (deliveries >= maxDeliveries) await this.#deadLetter(entry, deliveries, failure.err);
        else this.#owned.delete(entry.id); // closing
        return;
      }
      await control.idle(this.#pause(failure.retryInMs));
      if (!this.#running()) {
        this.#owned.delete(entry.id);
        return;
      }
      // Take the entry again: XCLAIM counts the delivery in Redis (so the count outlives this consumer) and returns
      // nothing when the entry is gone (acked elsewhere, trimmed).
      let again: StreamEntry | undefined;
      try {
        const reply = await this.#commands.call(
          'XCLAIM',
          this.keys.stream,
          this.options.group,
          this.options.consumer,
          0,
          entry.id,
        );
        again = parseEntries(reply)[0];
      } catch (err) {
        this.#redisError('retry', err); // left pending, no longer renewed: taken over after claimIdleMs
      }
      if (again === undefined) {
        this.#owned.delete(entry.id);
        return;
      }
      entry = again; // same id and fields: stream entries never change
      deliveries += 1;
    }
  }

  /** One delivery: handler, then ack. Returns the failure when the handler threw. */
  async #attempt(
    entry: StreamEntry,
    event: DiscoveryEvent,
    deliveries: number,
  ): Promise<{ err: unknown; retryInMs: number | undefined } | undefined> {
    const context: EventContext = Object.freeze({
      entryId: entry.id,
      deliveries,
      group: this.options.group,
      consumer: this.options.consumer,
      signal: this.#abort.signal,
    });
    const started = performance.now();
    try {
      await this.options.handler(event, context);
    } catch (err) {
      const durationMs = performance.now() - started;
      const willRetry = deliveries < this.options.maxDeliveries && this.#running();
      const retryInMs = willRetry
        ? backoffDelayMs(deliveries, this.options.retryBaseDelayMs, this.options.retryMaxDelayMs, this.options.random())
        : undefined;
      if (handlerErrorChannel.hasSubscribers) {
        handlerErrorChannel.publish({
          ...this.#fields(),
          ...subjectOf(entry, event),
          deliveries,
          durationMs,
          willRetry,
          retryInMs,
          err,
        } satisfies EventHandlerErrorMessage);
      }
      return { err, retryInMs };
    }
    const durationMs = performance.now() - started;
    try {
      await this.#commands.call('XACK', this.keys.stream, this.options.group, entry.id);
    } catch (err) {
      // Not acked: it stays pending and is taken over after claimIdleMs (handled twice, which handlers allow).
      this.#redisError('ack', err);
      this.#owned.delete(entry.id);
      return undefined;
    }
    this.#owned.delete(entry.id);
    if (handledChannel.hasSubscribers) {
      handledChannel.publish({
        ...this.#fields(),
        ...subjectOf(entry, event),
        deliveries,
        durationMs,
      } satisfies EventHandledMessage);
    }
    return undefined;
  }

  /** Moves the entry to the dead-letter stream and acks it, in one transaction. */
  async #deadLetter(entry: StreamEntry, deliveries: number, error: unknown): Promise<void> {
    const { group, consumer, deadLetterMaxLen } = this.options;
    const fields = deadLetterFields({
      entryId: entry.id,
      event: entry.fields.event ?? '',
      group,
      consumer,
      deliveries,
      failedAt: new Date().toISOString(),
      error,
    });
    try {
      const results = await this.#commands
        .multi()
        .call('XADD', this.#deadLetterStream, 'MAXLEN', '~', deadLetterMaxLen, '*', ...fields)
        .call('XACK', this.keys.stream, group, entry.id)
        .exec();
      const failed = results?.find(([err]) => err !== null)?.[0];
      if (results === null || failed) throw failed ?? new Error('transaction aborted');
    } catch (err) {
      // Still pending: taken over after claimIdleMs and dead-lettered then.
      this.#redisError('dead-letter', err);
      this.#owned.delete(entry.id);
      return;
    }
    this.#owned.delete(entry.id);
    if (deadLetteredChannel.hasSubscribers) {
      deadLetteredChannel.publish({
        ...this.#fields(),
        deadLetterStream: this.#deadLetterStream,
        entryId: entry.id,
        deliveries,
        code: describeError(error).errorCode,
        err: error,
      } satisfies EventDeadLetteredMessage);
    }
  }

  /** Renews the entries this consumer holds so that no other consumer takes them over. */
  async #heartbeat(): Promise<void> {
    if (this.#state === 'closed' || this.#owned.size === 0) return;
    const ids = [...this.#owned];
    for (let i = 0; i < ids.length; i += HEARTBEAT_CHUNK) {
      try {
        await this.#commands.call(
          'XCLAIM',
          this.keys.stream,
          this.options.group,
          this.options.consumer,
          0,
          ...ids.slice(i, i + HEARTBEAT_CHUNK),
          'JUSTID',
        );
      } catch (err) {
        this.#redisError('heartbeat', err);
        return;
      }
    }
  }

  /** Takes over entries idle past claimIdleMs (their consumer is dead or stuck), as many as there is room for. */
  #claimPass(): void {
    if (this.#claiming !== undefined || !this.#running()) return;
    this.#claiming = this.#claim()
      .catch((err: unknown) => this.#redisError('claim', err))
      .finally(() => {
        this.#claiming = undefined;
      });
  }

  async #claim(): Promise<void> {
    const { group, consumer, batchSize, claimIdleMs } = this.options;
    let cursor = '0-0';
    for (let page = 0; page < CLAIM_PAGES && this.#running(); page += 1) {
      const room = batchSize - this.#queue.size;
      if (room <= 0) return;
      const reply = parseAutoClaimReply(
        await this.#commands.call('XAUTOCLAIM', this.keys.stream, group, consumer, claimIdleMs, cursor, 'COUNT', room),
      );
      const fresh = reply.entries.filter((entry) => !this.#owned.has(entry.id));
      if (fresh.length > 0 || reply.deletedIds.length > 0) {
        const deliveries = await this.#deliveryCounts(fresh);
        if (reclaimedChannel.hasSubscribers) {
          reclaimedChannel.publish({
            ...this.#fields(),
            entryIds: fresh.map((entry) => entry.id),
            trimmedEntryIds: reply.deletedIds,
          } satisfies EventsReclaimedMessage);
        }
        for (const entry of fresh) {
          const count = deliveries.get(entry.id);
          if (count !== undefined) this.#accept(entry, count); // absent: acked meanwhile
        }
      }
      cursor = reply.cursor;
      if (cursor === '0-0') return;
    }
  }

  /** Delivery counts of entries this consumer just claimed. */
  async #deliveryCounts(entries: readonly StreamEntry[]): Promise<Map<string, number>> {
    if (entries.length === 0) return new Map();
    const first = entries[0]!.id;
    const last = entries[entries.length - 1]!.id;
    const reply = await this.#commands.call(
      'XPENDING',
      this.keys.stream,
      this.options.group,
      first,
      last,
      entries.length + this.#owned.size + 16,
      this.options.consumer,
    );
    return new Map(parsePendingReply(reply).map((p) => [p.id, p.deliveries]));
  }

  /** Waits `ms`, or less when closing. */
  #pause(ms: number): Promise<void> {
    // Closing ends the pause early; the callers check #running() after it.
    return sleep(ms, this.#abort.signal).catch(() => {});
  }

  #fields(): { stream: string; group: string; consumer: string } {
    return { stream: this.keys.stream, group: this.options.group, consumer: this.options.consumer };
  }

  #redisError(op: string, err: unknown): void {
    if (redisErrorChannel.hasSubscribers) {
      redisErrorChannel.publish({ ...this.#fields(), op, err } satisfies EventsRedisErrorMessage);
    }
  }
}

function subjectOf(entry: StreamEntry, event: DiscoveryEvent) {
  return { entryId: entry.id, id: event.id, type: event.type, source: event.source, module: event.module };
}

/** The code a Redis error reply starts with (`NOGROUP`, `BUSYGROUP`): Redis's own error code, not free text. */
function redisErrorCode(err: unknown): string | undefined {
  const message = err instanceof Error ? err.message : undefined;
  return message?.match(/^([A-Z]+) /)?.[1];
}

/** A connection of the subscriber's own, to the same Redis (a Cluster's copy keeps its nodes and credentials). */
function ownClient(connection: Redis | Cluster | string): Redis | Cluster {
  // Blocking commands must not fail while Redis is away: wait for the reconnect instead (as BullMQ workers do).
  const own = { lazyConnect: true, maxRetriesPerRequest: null } as const;
  if (typeof connection === 'string') return new Redis(connection, own);
  if (connection instanceof Cluster)
    return connection.duplicate([], {
      lazyConnect: true,
      redisOptions: { maxRetriesPerRequest: null, replyMapping: 'legacy' },
    });
  return connection.duplicate({ ...own, replyMapping: 'legacy' });
}

async function closeClient(client: Redis | Cluster): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'wait') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
