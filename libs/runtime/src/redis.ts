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

// After a Sentinel failover the old primary may come back as a replica while a connection still points at it: its
// writes fail with READONLY. Reconnecting (2 = and resend the command) asks the Sentinels for the new primary.
const reconnectOnError = (err: Error) => (err.message.startsWith('READONLY') ? 2 : false);

/** An ioredis connection with bounded, jittered reconnects and no secret in its error messages. */
export function createRedis(options: RedisConnectionOptions): RedisClient {
  const target: RedisTarget = typeof options.target === 'string' ? { mode: 'standalone', url: options.target } : options.target;
  const common = {
    connectionName: options.name,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
  switch (target.mode) {
    case 'standalone':
      return new Redis(target.url, { ...common, retryStrategy: reconnectDelay, reconnectOnError, lazyConnect: options.lazy ?? false });
    case 'sentinel':
      return new Redis({
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
      });
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
