// Connections made by createRedis (libs/runtime) through a failover of a real Sentinel topology: every connection, and
// every copy of one (as BullMQ and the events subscriber make), answers again on the new primary. Without reopening
// ended clients, ioredis leaves some closed for good ("Connection is closed") when +switch-master reaches them while
// they are still looking for the new primary (docs/operations.md#redis). And a blocking read on a server that stops
// answering without closing the connection ends on our side instead of waiting forever.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedis, type RedisClient } from '@modsync/runtime';
import { useEnvironment, waitFor } from '../env/index.ts';
import { run } from '../env/process.ts';
import { startRedis, startRedisSentinel, type TestRedisSentinel } from '../env/redis.ts';

const env = useEnvironment();
const clients: RedisClient[] = [];
let topology: TestRedisSentinel | undefined;
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await topology?.stop();
});

/** Whether `client` answers PING within a second (a closed client rejects at once, a reconnecting one times out). */
async function answers(client: RedisClient): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), 1_000);
  });
  try {
    return await Promise.race([client.ping().then((reply) => reply === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

describe('Redis connections through a Sentinel failover', () => {
  it('every connection and copy answers on the new primary; one closed by its owner stays closed', async () => {
    topology = await startRedisSentinel({ logDir: env.logDir, name: `conn-failover-${Date.now().toString(36)}` });
    const target = {
      mode: 'sentinel' as const,
      sentinels: topology.sentinels.map((s) => ({ host: s.host, port: s.port })),
      masterName: topology.masterName,
      password: topology.password,
      sentinelPassword: topology.sentinelPassword,
      db: 0,
    };
    // Many, as the services hold (each replica: commands, BullMQ, its blocking copies, the events reader).
    for (let i = 0; i < 12; i++) {
      const client = createRedis({ target, name: `failover-${i}`, maxRetriesPerRequest: i % 2 === 0 ? null : 3 });
      clients.push(client);
      if (i % 3 === 0 && client instanceof Redis) clients.push(client.duplicate());
    }
    await waitFor(
      'every client connected',
      async () => (await Promise.all(clients.map(answers))).every(Boolean),
      20_000,
    );
    const closed = clients.pop()!;
    closed.disconnect();

    const before = await topology.currentPrimaryPort();
    await topology.primary.kill();
    await waitFor(
      'Sentinels promote the replica',
      async () => (await topology!.currentPrimaryPort()) !== before,
      30_000,
      200,
    );
    await waitFor(
      'every client answers on the new primary',
      async () => (await Promise.all(clients.map(answers))).every(Boolean),
      30_000,
      500,
    );
    expect(clients.map((c) => c.status)).toEqual(clients.map(() => 'ready'));
    expect(closed.status).toBe('end');
  });
});

describe('a Redis that stops answering without closing the connection', () => {
  it("a copy's blocking read (as BullMQ's) ends with no result after its timeout and the grace", async () => {
    const redis = await startRedis({ logDir: env.logDir, name: `silent-${Date.now().toString(36)}`, password: true });
    const client = createRedis({ target: redis.url, name: 'silent', maxRetriesPerRequest: null }) as Redis;
    const copy = client.duplicate();
    clients.push(client, copy);
    expect(await copy.ping()).toBe('PONG');
    // Frozen (SIGSTOP through the cgroup freezer): the socket stays open, nothing answers.
    await run('docker', ['pause', redis.container.getId()]);
    try {
      expect(await copy.bzpopmin('silent-queue:marker', 1)).toBeNull();
    } finally {
      await run('docker', ['unpause', redis.container.getId()]);
      await redis.stop();
    }
  }, 20_000);
});
