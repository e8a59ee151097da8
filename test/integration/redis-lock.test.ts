// RedisLocks (libs/runtime) against real Redis: the lock the syncer holds per ModuleSource and the applier per module.
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, RedisLocks } from '@modsync/runtime';
import { useEnvironment, waitFor } from '../env/index.ts';

const env = useEnvironment();
const lockPrefix = `locks-${Date.now().toString(36)}`;
const connections: ReturnType<typeof createRedis>[] = [];
afterAll(() => {
  for (const c of connections) c.disconnect();
});

describe('RedisLocks against real Redis', () => {
  const locks = (identity: string, ttlMs = 30_000, commandTimeoutMs = 1_000) => {
    const redis = createRedis({ target: env.redis!.url, name: `locks-${identity}` });
    connections.push(redis);
    return { redis, locks: new RedisLocks({ redis, prefix: lockPrefix, identity, ttlMs, commandTimeoutMs }) };
  };

  it('one holder at a time; released with compare-and-delete; renewed while held past its TTL', async () => {
    const one = locks('one', 900, 200);
    const two = locks('two', 900, 200);
    const held = await one.locks.acquire('m1');
    expect(held).toBeDefined();
    expect(await two.locks.acquire('m1')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Renewed every ttl/3: still held, by `one`.
    expect(held!.signal.aborted).toBe(false);
    expect(await one.redis.get(`${lockPrefix}:m1`)).toMatch(/^one\//);
    expect(await two.locks.acquire('m1')).toBeUndefined();
    await held!.release();
    const next = await two.locks.acquire('m1');
    expect(next).toBeDefined();
    // A released lock never frees another holder's.
    await held!.release();
    expect(await one.redis.get(`${lockPrefix}:m1`)).toMatch(/^two\//);
    await next!.release();
    expect(await one.redis.get(`${lockPrefix}:m1`)).toBeNull();
  });

  it('a lock taken over after expiry aborts its holder’s signal with LockLostError', async () => {
    const one = locks('one', 900, 200);
    const held = await one.locks.acquire('m2');
    // As if `one` had stalled past its TTL and another replica took the lock.
    await one.redis.set(`${lockPrefix}:m2`, 'other:token', 'PX', 30_000);
    await waitFor('lock lost', () => held!.signal.aborted, 2_000, 20);
    expect(held!.signal.reason).toMatchObject({ name: 'LockLostError', code: 'MODSYNC_LOCK_LOST', lockName: 'm2' });
    await held!.release();
    expect(await one.redis.get(`${lockPrefix}:m2`)).toBe('other:token');
  });

  it('Redis not answering: acquire fails with a typed retryable error, no lock taken', async () => {
    const dead = createRedis({ target: 'redis://127.0.0.1:1', name: 'dead', connectTimeoutMs: 200 });
    connections.push(dead);
    dead.on('error', () => {});
    const locksOnDead = new RedisLocks({
      redis: dead,
      prefix: lockPrefix,
      identity: 'dead',
      ttlMs: 3_000,
      commandTimeoutMs: 500,
    });
    await expect(locksOnDead.acquire('m3')).rejects.toMatchObject({
      name: 'LockUnavailableError',
      code: 'MODSYNC_LOCK_UNAVAILABLE',
      retryable: true,
      lockName: 'm3',
    });
  });

  it('ten contenders: one runs, none overlap; the key names the holder and is gone after', async () => {
    const redis = createRedis({ target: env.redis!.url, name: 'lock-overlap' });
    connections.push(redis);
    let inside = 0;
    let maxInside = 0;
    let holderSeen: string | null = null;
    const attempt = (i: number) =>
      new RedisLocks({ redis, prefix: lockPrefix, identity: `replica-${i}`, ttlMs: 3_000 }).withLock(
        'overlap',
        async () => {
          maxInside = Math.max(maxInside, ++inside);
          holderSeen = await redis.get(`${lockPrefix}:overlap`);
          await new Promise((r) => setTimeout(r, 50));
          inside--;
        },
      );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)));
    expect(maxInside).toBe(1);
    expect(results.filter(Boolean).length).toBe(1);
    expect(holderSeen).toMatch(new RegExp(`^replica-${results.findIndex(Boolean)}/[0-9a-f-]{36}$`));
    expect(await redis.exists(`${lockPrefix}:overlap`)).toBe(0);
  });
});
