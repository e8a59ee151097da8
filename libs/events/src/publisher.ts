// Publishes discovery events to the stream. One script per event, atomically: give out the next `seq` of the event's
// (source, module) and XADD the event with it, trimming the stream to about `maxLen` entries. So the stream order of
// one module's events is their `seq` order, whichever syncer replica publishes.
import { type Cluster, Redis } from 'ioredis';
import { prepareEvent } from './codec.ts';
import { publishedChannel, type EventPublishedMessage } from './diagnostics.ts';
import { EventsClosedError, EventsRedisError } from './errors.ts';
import { eventKeys, seqField, type EventKeys } from './keys.ts';
import { resolvePublisherOptions, type EventPublisherOptions, type ResolvedEventPublisherOptions } from './options.ts';
import { EVENT_SCHEMA_VERSION, type DiscoveryEvent, type DiscoveryEventInput } from './schema.ts';

// `seq` is the Redis clock in microseconds, bumped past the last one given out for the same field: strictly
// increasing per (source, module), and still increasing after the hash is lost (a Redis without persistence restarted).
// KEYS: stream, seq hash. ARGV: seq field, envelope version, body (event JSON without v, seq and its opening brace), maxLen.
const PUBLISH_SCRIPT = `
local now = redis.call('TIME')
local seq = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if seq <= last then seq = last + 1 end
local seqText = string.format('%.0f', seq)
redis.call('HSET', KEYS[2], ARGV[1], seqText)
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'event', '{"v":' .. ARGV[2] .. ',"seq":' .. seqText .. ',' .. ARGV[3])
return {id, seqText}
`;

/** An event as it went into the stream. */
export interface PublishedEvent {
  /** The stream entry id. */
  readonly entryId: string;
  /** The event with its `v`, `id`, `seq` and `at`. */
  readonly event: DiscoveryEvent;
}

export class EventPublisher {
  readonly options: ResolvedEventPublisherOptions;
  readonly keys: EventKeys;
  readonly #redis: Redis | Cluster;
  readonly #ownsRedis: boolean;
  #closed = false;

  /** Throws EventsInvalidOptionError. Connects lazily: the first publish waits for the connection. */
  constructor(options: EventPublisherOptions) {
    this.options = resolvePublisherOptions(options);
    this.keys = eventKeys(this.options.prefix);
    const connection = this.options.connection;
    this.#ownsRedis = typeof connection === 'string';
    this.#redis = typeof connection === 'string' ? new Redis(connection, { lazyConnect: true }) : connection;
  }

  /**
   * Validates and publishes one event. Resolves once Redis has it (durable as Redis is). Throws EventInvalidError for a
   * bad event (nothing is published), EventsRedisError when Redis fails, EventsClosedError after `close()`.
   */
  async publish(input: DiscoveryEventInput): Promise<PublishedEvent> {
    const [published] = await this.publishAll([input]);
    return published!;
  }

  /**
   * Validates every event first (one invalid: nothing is published), then publishes them in order, pipelined on one
   * connection. Events of one module keep their order in the stream.
   */
  async publishAll(inputs: readonly DiscoveryEventInput[]): Promise<PublishedEvent[]> {
    if (this.#closed) throw new EventsClosedError('EventPublisher');
    const prepared = inputs.map((input) => prepareEvent(input, this.options.generateId(), this.options.now()));
    const { stream, seq } = this.keys;
    const replies = prepared.map(({ event, body }) =>
      this.#redis.call(
        'EVAL',
        PUBLISH_SCRIPT,
        2,
        stream,
        seq,
        seqField(event.source, event.module),
        EVENT_SCHEMA_VERSION,
        body,
        this.options.maxLen,
      ),
    );
    const settled = await Promise.allSettled(replies);
    const published: PublishedEvent[] = [];
    let failure: unknown;
    settled.forEach((result, i) => {
      if (result.status === 'rejected') {
        failure ??= result.reason;
        return;
      }
      const [entryId, seqText] = result.value as [string, string];
      const event = { ...prepared[i]!.event, seq: Number(seqText) };
      published.push({ entryId, event });
      if (publishedChannel.hasSubscribers) {
        publishedChannel.publish({
          stream,
          entryId,
          id: event.id,
          type: event.type,
          source: event.source,
          module: event.module,
          seq: event.seq,
        } satisfies EventPublishedMessage);
      }
    });
    if (failure !== undefined) throw new EventsRedisError('publish', failure);
    return published;
  }

  /** Stops publishing; closes the connection when the publisher made it from a URL. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsRedis) await quietly(() => this.#redis.quit());
  }
}

async function quietly(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch {
    // closing a connection that already failed
  }
}
