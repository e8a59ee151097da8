import { z } from 'zod';

/** One Redis server: a Sentinel or a Cluster node. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where modsync's Redis is (docs/operations.md#redis): one server by URL, a primary found through Sentinel, or a Redis
 * Cluster. Passwords live here only; {@link describeRedisTarget} is what logs show.
 */
export type RedisTarget =
  | { mode: 'standalone'; url: string; username?: string; password?: string }
  | {
      mode: 'sentinel';
      sentinels: RedisNode[];
      masterName: string;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      db: number;
    }
  | { mode: 'cluster'; nodes: RedisNode[]; username?: string; password?: string };

/** The environment variables that say where Redis is (both services read the same ones). */
export const redisEnvironment = {
  /** redis[s]://[user:password@]host:port[/db]: one Redis server. */
  MODSYNC_REDIS_URL: z.string().optional(),
  /** `host:port,host:port,…` of the Sentinels that watch the primary named by MODSYNC_REDIS_MASTER_NAME. */
  MODSYNC_REDIS_SENTINELS: z.string().optional(),
  MODSYNC_REDIS_MASTER_NAME: z.string().optional(),
  /** `host:port,host:port,…` of some Redis Cluster nodes (the others are discovered). */
  MODSYNC_REDIS_CLUSTER: z.string().optional(),
  /** ACL user and password of the Redis servers (for a URL: instead of writing them into it). */
  MODSYNC_REDIS_USERNAME: z.string().optional(),
  MODSYNC_REDIS_PASSWORD: z.string().optional(),
  /** ACL user and password of the Sentinels, when they require one (Sentinel's own `requirepass`). */
  MODSYNC_REDIS_SENTINEL_USERNAME: z.string().optional(),
  MODSYNC_REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** Database number behind Sentinel (a URL carries its own as `/db`; a Cluster has only 0). */
  MODSYNC_REDIS_DB: z.string().optional(),
};

export type RedisEnvironment = { [K in keyof typeof redisEnvironment]?: string | undefined };

/** A Redis setting that cannot be used; the message names the variable and what to write instead. */
export class RedisConfigError extends Error {
  override readonly name = 'RedisConfigError';
  readonly code = 'MODSYNC_REDIS_CONFIG';
}

const SENTINEL_PORT = 26379;
const REDIS_PORT = 6379;
// A DNS name or an IPv4 address (IPv6 goes in brackets: `[::1]:26379`).
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** `host[:port]` entries separated by commas (spaces around them allowed); `variable` names the setting in errors. */
export function parseRedisNodes(text: string, variable: string, defaultPort: number): RedisNode[] {
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => e === '')) throw new RedisConfigError(`${variable}: empty; want host:port[,host:port…]`);
  const nodes: RedisNode[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry === '')
      throw new RedisConfigError(`${variable}: an empty entry in ${JSON.stringify(text)}; want host:port[,host:port…]`);
    const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(entry);
    const [host, portText] = bracketed ? [bracketed[1]!, bracketed[2]] : splitHostPort(entry);
    if (!bracketed && !HOST.test(host)) {
      throw new RedisConfigError(
        `${variable}: ${JSON.stringify(entry)} is not host:port (IPv6 addresses go in brackets: [::1]:${defaultPort})`,
      );
    }
    let port = defaultPort;
    if (portText !== undefined) {
      if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
        throw new RedisConfigError(
          `${variable}: ${JSON.stringify(entry)} has port ${JSON.stringify(portText)}; want 1–65535`,
        );
      }
      port = Number(portText);
    }
    const key = `${host.toLowerCase()}:${port}`;
    if (seen.has(key)) throw new RedisConfigError(`${variable}: ${host}:${port} is listed twice`);
    seen.add(key);
    nodes.push({ host, port });
  }
  return nodes;
}

function splitHostPort(entry: string): [string, string | undefined] {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) return [entry, undefined];
  // Two colons without brackets: an IPv6 address, which must be bracketed to tell its port apart.
  if (entry.indexOf(':') !== colon) return ['', undefined];
  return [entry.slice(0, colon), entry.slice(colon + 1)];
}

const set = (value: string | undefined): value is string => value !== undefined && value !== '';

/** Reads the Redis variables: exactly one of a URL, Sentinels or Cluster nodes, and only the settings that apply to it. */
export function parseRedisTarget(env: RedisEnvironment): RedisTarget {
  const chosen = (['MODSYNC_REDIS_URL', 'MODSYNC_REDIS_SENTINELS', 'MODSYNC_REDIS_CLUSTER'] as const).filter((k) =>
    set(env[k]),
  );
  if (chosen.length === 0)
    throw new RedisConfigError(
      'say where Redis is: set MODSYNC_REDIS_URL (one server), MODSYNC_REDIS_SENTINELS with MODSYNC_REDIS_MASTER_NAME (Sentinel), or MODSYNC_REDIS_CLUSTER (Redis Cluster)',
    );
  if (chosen.length > 1)
    throw new RedisConfigError(`set only one of ${chosen.join(' and ')}: they are different ways to reach Redis`);
  const username = set(env.MODSYNC_REDIS_USERNAME) ? env.MODSYNC_REDIS_USERNAME : undefined;
  const password = set(env.MODSYNC_REDIS_PASSWORD) ? env.MODSYNC_REDIS_PASSWORD : undefined;
  const credentials = { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  const onlyWithSentinels = (
    [
      'MODSYNC_REDIS_MASTER_NAME',
      'MODSYNC_REDIS_SENTINEL_USERNAME',
      'MODSYNC_REDIS_SENTINEL_PASSWORD',
      'MODSYNC_REDIS_DB',
    ] as const
  ).filter((k) => set(env[k]));
  const mode = chosen[0]!;

  if (mode === 'MODSYNC_REDIS_SENTINELS') {
    const sentinels = parseRedisNodes(env.MODSYNC_REDIS_SENTINELS!, 'MODSYNC_REDIS_SENTINELS', SENTINEL_PORT);
    const masterName = env.MODSYNC_REDIS_MASTER_NAME;
    if (!set(masterName))
      throw new RedisConfigError(
        'MODSYNC_REDIS_SENTINELS needs MODSYNC_REDIS_MASTER_NAME: the name the Sentinels monitor the primary under (sentinel monitor <name> …)',
      );
    if (!MASTER_NAME.test(masterName))
      throw new RedisConfigError(
        `MODSYNC_REDIS_MASTER_NAME: ${JSON.stringify(masterName)} is not a Sentinel master name (1–128 characters of A-Za-z0-9._-)`,
      );
    let db = 0;
    if (set(env.MODSYNC_REDIS_DB)) {
      if (!/^\d{1,5}$/.test(env.MODSYNC_REDIS_DB))
        throw new RedisConfigError(
          `MODSYNC_REDIS_DB: ${JSON.stringify(env.MODSYNC_REDIS_DB)} is not a database number (0, 1, …)`,
        );
      db = Number(env.MODSYNC_REDIS_DB);
    }
    return {
      mode: 'sentinel',
      sentinels,
      masterName,
      ...credentials,
      ...(set(env.MODSYNC_REDIS_SENTINEL_USERNAME) ? { sentinelUsername: env.MODSYNC_REDIS_SENTINEL_USERNAME } : {}),
      ...(set(env.MODSYNC_REDIS_SENTINEL_PASSWORD) ? { sentinelPassword: env.MODSYNC_REDIS_SENTINEL_PASSWORD } : {}),
      db,
    };
  }
  if (onlyWithSentinels.length > 0)
    throw new RedisConfigError(`${onlyWithSentinels.join(', ')} only apply with MODSYNC_REDIS_SENTINELS`);

  if (mode === 'MODSYNC_REDIS_CLUSTER') {
    return {
      mode: 'cluster',
      nodes: parseRedisNodes(env.MODSYNC_REDIS_CLUSTER!, 'MODSYNC_REDIS_CLUSTER', REDIS_PORT),
      ...credentials,
    };
  }

  const url = env.MODSYNC_REDIS_URL!;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisConfigError('MODSYNC_REDIS_URL: not a URL; want redis[s]://[user:password@]host:port[/db]');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisConfigError(`MODSYNC_REDIS_URL: scheme ${parsed.protocol} is not redis: or rediss:`);
  }
  if (parsed.hostname === '')
    throw new RedisConfigError('MODSYNC_REDIS_URL: no host; want redis[s]://[user:password@]host:port[/db]');
  if (!/^\/?\d*$/.test(parsed.pathname))
    throw new RedisConfigError(
      `MODSYNC_REDIS_URL: path ${JSON.stringify(parsed.pathname)} is not a database number (/0, /1, …)`,
    );
  if (password && parsed.password)
    throw new RedisConfigError('MODSYNC_REDIS_PASSWORD and a password in MODSYNC_REDIS_URL: give it once');
  if (username && parsed.username)
    throw new RedisConfigError('MODSYNC_REDIS_USERNAME and a user in MODSYNC_REDIS_URL: give it once');
  return { mode: 'standalone', url, ...credentials };
}

/** {@link parseRedisTarget} for a service's configuration: a bad setting fails as `invalid <service> configuration: …`. */
export function loadRedisTarget(service: string, env: RedisEnvironment): RedisTarget {
  try {
    return parseRedisTarget(env);
  } catch (err) {
    if (err instanceof RedisConfigError)
      throw new Error(`invalid ${service} configuration: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The target without secrets, for logs: `redis://host:6379/0`, `sentinel mymaster@h1:26379,h2:26379`, `cluster h1:7000,…`. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: RedisNode[]) =>
    nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',');
  if (target.mode === 'sentinel')
    return `sentinel ${target.masterName}@${list(target.sentinels)}${target.db ? ` db ${target.db}` : ''}`;
  if (target.mode === 'cluster') return `cluster ${list(target.nodes)}`;
  return redactRedisUrl(target.url);
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
