import { Cluster, Redis } from 'ioredis';
import { backoffDelayMs } from './backoff.ts';
import type { RedisTarget } from './redis-target.ts';

/** A connection to modsync's Redis: one server (also behind Sentinel) or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** Where Redis is (parseRedisTarget), or a redis[s]://[user:password@]host:port[/db] URL. */
  target: RedisTarget | string;
  /** CLIENT SETNAME, seen in CLIENT LIST. */
  name: string;
  /**
   * `null` for blocking consumers (BullMQ workers, XREADGROUP): commands wait for a reconnect instead of failing.
   * @defaultValue 3
   */
  maxRetriesPerRequest?: number | null;
  /** @defaultValue 10000 */
  connectTimeoutMs?: number;
  /** A command not answered in this time fails (not for blocking consumers). @defaultValue none */
  commandTimeoutMs?: number;
  /** Connect at the first command instead of at once (a client only copied, e.g. by the events subscriber). */
  lazy?: boolean;
}

// Reconnects: exponential from 200 ms to 5 s, with jitter so replicas do not come back in step.
const reconnectDelay = (times: number) => backoffDelayMs(times + 1, 100, 5_000, Math.random());

// A blocking command without a timeout of its own waits at most this long; one with a timeout gets the grace on top.
const BLOCKING_SAFETY_NET_MS = 60_000;
const BLOCKING_GRACE_MS = 2_000;

// After a Sentinel failover the old primary may come back as a replica while a connection still points at it: its
// writes fail with READONLY. Reconnecting (2 = and resend the command) asks the Sentinels for the new primary.
const reconnectOnError = (err: Error) => (err.message.startsWith('READONLY') ? 2 : false);

/**
 * Reopens `client` whenever it ends without having been closed (quit/disconnect) by its owner, and does the same for its
 * copies (`duplicate`: BullMQ's blocking connections, the events subscriber's reader). ioredis ends a Sentinel client for
 * good when its connector is interrupted while it resolves the primary: the failover detector of the connection that
 * just died disconnects it on `+switch-master`, mid-reconnect. Every command then fails with "Connection is closed" and
 * nothing retries the connect (docs/operations.md#redis).
 */
function reopenWhenEnded(client: Redis): Redis {
  let closedByOwner = false;
  let attempts = 0;
  const quit = client.quit.bind(client);
  const disconnect = client.disconnect.bind(client);
  const duplicate = client.duplicate.bind(client);
  client.quit = ((...args: Parameters<Redis['quit']>) => {
    closedByOwner = true;
    return quit(...args);
  }) as Redis['quit'];
  client.disconnect = (reconnect?: boolean) => {
    if (!reconnect) closedByOwner = true;
    disconnect(reconnect);
  };
  client.duplicate = ((override?: Parameters<Redis['duplicate']>[0]) =>
    reopenWhenEnded(duplicate(override))) as Redis['duplicate'];
  client.on('ready', () => {
    // Reopened by its owner after a close (BullMQ resets its blocking connection that way): ours to keep open again.
    closedByOwner = false;
    attempts = 0;
  });
  client.on('end', () => {
    if (closedByOwner) return;
    const timer = setTimeout(() => {
      if (client.status === 'end' && !closedByOwner) client.connect().catch(() => {});
    }, reconnectDelay(++attempts));
    timer.unref();
  });
  return client;
}

/** An ioredis connection with bounded, jittered reconnects and no secret in its error messages. */
export function createRedis(options: RedisConnectionOptions): RedisClient {
  const target: RedisTarget =
    typeof options.target === 'string' ? { mode: 'standalone', url: options.target } : options.target;
  const common = {
    connectionName: options.name,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
    // A blocking command (BullMQ's BZPOPMIN, the events reader's XREADGROUP) on a connection that died without a close
    // (a node or a network path gone silently) would wait forever and the worker take no job again: it is answered
    // "nothing" on our side at its own timeout plus a grace (docs/operations.md#redis).
    blockingTimeout: BLOCKING_SAFETY_NET_MS,
    blockingTimeoutGrace: BLOCKING_GRACE_MS,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
  switch (target.mode) {
    case 'standalone':
      return reopenWhenEnded(
        new Redis(target.url, {
          ...common,
          retryStrategy: reconnectDelay,
          reconnectOnError,
          lazyConnect: options.lazy ?? false,
        }),
      );
    case 'sentinel':
      return reopenWhenEnded(
        new Redis({
          ...common,
          sentinels: target.sentinels.map((n) => ({ ...n })),
          name: target.masterName,
          role: 'master',
          db: target.db,
          ...(target.sentinelUsername ? { sentinelUsername: target.sentinelUsername } : {}),
          ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
          // Subscribes to the Sentinels' +switch-master: a failover is followed at once, not at the next failed command.
          failoverDetector: true,
          sentinelRetryStrategy: reconnectDelay,
          retryStrategy: reconnectDelay,
          reconnectOnError,
          lazyConnect: options.lazy ?? false,
        }),
      );
    case 'cluster':
      return new Cluster(
        target.nodes.map((n) => ({ ...n })),
        {
          redisOptions: common,
          clusterRetryStrategy: reconnectDelay,
          // While a replica takes over a dead primary's slots, commands wait and retry instead of failing at once.
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 300,
          retryDelayOnTryAgain: 200,
          slotsRefreshTimeout: 2_000,
          lazyConnect: options.lazy ?? false,
        },
      );
  }
}
