import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** redis[s]://[user:password@]host:port[/db] */
  url: string;
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
}

/** An ioredis connection with bounded, jittered reconnects and no secret in its error messages. */
export function createRedis(options: RedisConnectionOptions): Redis {
  return new Redis(options.url, {
    connectionName: options.name,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
    retryStrategy: (times) => Math.min(5_000, 100 * 2 ** Math.min(times, 6)) * (0.5 + Math.random() / 2),
    lazyConnect: false,
  });
}

/** The URL with its password hidden, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid redis url>';
  }
}
