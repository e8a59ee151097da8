// R2: Redis is killed and started again empty (no persistence) under running services. What must hold: within 30 s the
// leading syncer has put every source's schedule back (from the cluster's ModuleSources: nothing the cluster knows is
// lost), the next versions are synced and released, no release is lost or made twice, no service exits.
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRedis } from '@modsync/runtime';
import { syncerKeys } from '@modsync/syncer';
import { startRedis, type TestRedis } from '../env/redis.ts';
import { recordScenario } from './summary.ts';
import { chaosEnv, useCleanups, secretsInLogs, timeUntil, World } from './support.ts';

const env = chaosEnv();
const suffix = Date.now().toString(36);
const SCHEDULES_BOUND_MS = 30_000;
const cleanup = useCleanups();

describe('R2: Redis killed and restarted empty', () => {
  it('schedules come back from the cluster within 30 s; no release lost or duplicated', async () => {
    let redis: TestRedis = await startRedis({ logDir: env.logDir, name: `r2-redis-${suffix}`, password: true });
    cleanup(() => redis.stop());
    const world = new World({
      id: `r2-${suffix}`,
      sources: 4,
      redisEnv: { MODSYNC_REDIS_URL: redis.url },
      syncers: 2,
      appliers: 1,
    });
    cleanup(() => world.stop());
    await world.start('v1.0.0');
    expect(await timeUntil(() => world.converged('v1.0.0'), 60_000)).toBeDefined();
    const before = await world.releases();

    await redis.container.stop({ timeout: 0 });
    redis = await startRedis({
      logDir: env.logDir,
      name: `r2-redis-again-${suffix}`,
      password: redis.password!,
      port: redis.port,
    });
    const client = createRedis({ target: redis.url, name: 'chaos-r2' });
    const keys = syncerKeys(world.options.id);
    const queue = new Queue(keys.syncQueue, { connection: client, prefix: keys.bullPrefix });
    cleanup(async () => {
      await queue.close();
      client.disconnect();
    });
    const schedulesMs = await timeUntil(
      async () => (await queue.getJobSchedulers(0, -1)).length === world.sourceNames.length,
      SCHEDULES_BOUND_MS,
    );

    await world.publishAll('v1.0.1');
    const convergedMs = await timeUntil(() => world.converged('v1.0.1'), 60_000);
    const after = await world.releases();
    const problems = [
      ...(schedulesMs === undefined ? [`schedules not back ${SCHEDULES_BOUND_MS} ms after the restart`] : []),
      ...(convergedMs === undefined ? ['v1.0.1 not synced and released within 60 s'] : []),
      ...[...before]
        .filter(([name, uid]) => after.get(name) !== uid)
        .map(([name]) => `release ${name} lost or made again`),
      ...(after.size === before.size * 2 ? [] : [`${after.size} releases, want ${before.size * 2}`]),
      ...(await world.overlappingSyncs()).map((o) => `synced twice at once: ${o}`),
      ...world.exited().map((r) => `${r} exited`),
      ...(await secretsInLogs(env.logDir, [redis.password!])),
    ];
    await recordScenario(env.dir, {
      scenario: 'R2 Redis restarted empty (schedules back)',
      runs: 1,
      failures: problems.length > 0 ? 1 : 0,
      recoveryMs: schedulesMs === undefined ? [] : [schedulesMs],
    });
    expect(problems).toEqual([]);
  });
});
