import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Delete or extend only while we still own it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Holds `key` while `fn` runs, so one worker in the fleet syncs a source at a time. The lock expires by itself after
 * `ttlMs` if its holder dies, and is extended while `fn` runs. Resolves undefined when another holder has it. The value
 * is `<holder>/<random>`: an operator (or a test) reading the key sees which replica is syncing.
 */
export async function withLock<T>(redis: Redis, key: string, ttlMs: number, holder: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const token = `${holder}/${randomUUID()}`;
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  const timer = setInterval(() => void redis.eval(EXTEND, 1, key, token, String(ttlMs)).catch(() => {}), Math.max(1_000, ttlMs / 3));
  try {
    return { value: await fn() };
  } finally {
    clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token).catch(() => {});
  }
}
