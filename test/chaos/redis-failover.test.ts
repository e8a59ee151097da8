// R2b: the Redis primary is killed while syncs run (Sentinel: the primary; Cluster: the primary of the queues' slot).
// What must hold: the replicas fail over, the services follow (through Sentinel, or the Cluster's new slot map), every
// source syncs the version published just before the kill, each release is created once, no source is synced by two
// replicas at once, no service exits. The recovery time (kill → all of that) goes into the summary.
import { describe, expect, it, onTestFinished } from 'vitest';
import { startRedisCluster, startRedisSentinel, type TestRedisCluster, type TestRedisSentinel } from '../env/redis.ts';
import { recordScenario } from './summary.ts';
import { chaosEnv, secretsInLogs, timeUntil, World } from './support.ts';

const env = chaosEnv();
const suffix = Date.now().toString(36);
/** Kill → converged again, at most (the scenario's time bound). */
const RECOVERY_BOUND_MS = 60_000;

interface Topology {
  redisEnv: Record<string, string>;
  secrets: string[];
  /** Kills the primary the services write to now. */
  killPrimary(world: World): Promise<void>;
  stop(): Promise<void>;
}

const topologies: Record<'sentinel' | 'cluster', () => Promise<Topology>> = {
  async sentinel() {
    const t: TestRedisSentinel = await startRedisSentinel({ logDir: env.logDir, name: `r2b-sentinel-${suffix}` });
    return {
      redisEnv: {
        MODSYNC_REDIS_SENTINELS: t.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
        MODSYNC_REDIS_MASTER_NAME: t.masterName,
        MODSYNC_REDIS_PASSWORD: t.password,
        MODSYNC_REDIS_SENTINEL_PASSWORD: t.sentinelPassword,
      },
      secrets: [t.password, t.sentinelPassword],
      async killPrimary() {
        await t.primary.kill();
      },
      stop: () => t.stop(),
    };
  },
  async cluster() {
    const t: TestRedisCluster = await startRedisCluster({ logDir: env.logDir, name: `r2b-cluster-${suffix}` });
    return {
      // Two of the six nodes: the others are discovered.
      redisEnv: {
        MODSYNC_REDIS_CLUSTER: t.nodes
          .slice(0, 2)
          .map((n) => `${n.host}:${n.port}`)
          .join(','),
        MODSYNC_REDIS_PASSWORD: t.password,
      },
      secrets: [t.password],
      async killPrimary(world) {
        // The primary of the sync queue's slot: the one the workers block on.
        await (await t.primaryOf(`{${world.options.id}:bull}:sync:wait`)).kill();
      },
      stop: () => t.stop(),
    };
  },
};

const kinds = ['sentinel', 'cluster'] as const;

describe.each(kinds)('R2b: Redis %s primary killed mid-work', (kind) => {
  it('fails over; services reconnect; nothing lost, nothing run twice at once', async () => {
    const topology = await topologies[kind]();
    const world = new World({
      id: `r2b-${kind}-${suffix}`,
      sources: 4,
      redisEnv: topology.redisEnv,
      syncers: 2,
      appliers: 1,
    });
    // Stopped at the end of this test, not the file's: the next topology's world runs alone.
    onTestFinished(async () => {
      await world.stop().catch(() => {});
      await topology.stop().catch(() => {});
    });
    await world.start('v1.0.0');
    expect(await timeUntil(() => world.converged('v1.0.0'), 60_000)).toBeDefined();
    const before = await world.releases();

    // Mid-work: new versions are published and the next syncs (every 5 s) are finding them when the primary dies.
    await world.publishAll('v1.0.1');
    await topology.killPrimary(world);
    const recoveryMs = await timeUntil(() => world.converged('v1.0.1'), RECOVERY_BOUND_MS);

    const after = await world.releases();
    const problems = [
      ...(recoveryMs === undefined
        ? [`not converged ${RECOVERY_BOUND_MS} ms after the kill; sync queue:\n${await world.queueReport()}`]
        : []),
      ...[...before]
        .filter(([name, uid]) => after.get(name) !== uid)
        .map(([name]) => `release ${name} lost or made again`),
      ...(after.size === before.size * 2
        ? []
        : [`${after.size} releases, want ${before.size * 2}: ${[...after.keys()].join(', ')}`]),
      ...(await world.overlappingSyncs()).map((o) => `synced twice at once: ${o}`),
      ...world.exited().map((r) => `${r} exited`),
      ...(await secretsInLogs(env.logDir, topology.secrets)),
    ];
    await recordScenario(env.dir, {
      scenario: `R2b ${kind}: primary killed`,
      runs: 1,
      failures: problems.length > 0 ? 1 : 0,
      recoveryMs: recoveryMs === undefined ? [] : [recoveryMs],
    });
    expect(problems).toEqual([]);
  });
});
