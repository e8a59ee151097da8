// R1: syncer and applier replicas (2 + 2) are killed with SIGKILL, 20 times at random points, while new versions are
// published; each killed replica is replaced at once, as a Deployment would. What must hold: after the last kill every
// source is synced again within two sync intervals (plus the dead holder's job lock), the last version is released,
// every release is created once (its uid never changes), no job is stuck (every schedule has its next run, no job runs
// for longer than two intervals), no source is synced and no module installed by two replicas at once, no replica exits
// by itself. The installer runs for real (helm against the API server), so kills land in installs too.
import { describe, expect, it } from 'vitest';
import { ModuleSources } from '@modsync/k8s';
import { nextRunPending } from '@modsync/syncer';
import { startRedis } from '../env/redis.ts';
import { recordScenario } from './summary.ts';
import { chaosEnv, secretsInLogs, timeUntil, useCleanups, World } from './support.ts';

const env = chaosEnv();
const suffix = Date.now().toString(36);
const cleanup = useCleanups();
const KILLS = 20;
const INTERVAL_MS = 5_000;
/** The job lock of the chaos services (MODSYNC_JOB_LOCK): a killed holder's job runs again after it. */
const JOB_LOCK_MS = 3_000;
const SYNC_BOUND_MS = 2 * INTERVAL_MS + JOB_LOCK_MS;

/** A small seeded generator (the seed is printed), so a failing sequence of kills can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('R1: replicas killed with SIGKILL mid-work', () => {
  it('20 kills of 2 syncers + 2 appliers: synced within two intervals, releases once, nothing stuck or run twice', async () => {
    const seed = Number(process.env['MODSYNC_CHAOS_SEED'] ?? Date.now() % 1_000_000);
    const next = random(seed);
    const redis = await startRedis({ logDir: env.logDir, name: `r1-redis-${suffix}`, password: true });
    cleanup(() => redis.stop());
    const world = new World({
      id: `r1-${suffix}`,
      sources: 3,
      redisEnv: { MODSYNC_REDIS_URL: redis.url },
      syncers: 2,
      appliers: 2,
      extraEnv: { MODSYNC_INSTALLER: 'helm' },
    });
    cleanup(() => world.stop());
    await world.start('v1.0.0');
    expect(await timeUntil(() => world.converged('v1.0.0'), 90_000)).toBeDefined();

    // Every release seen, by name, with the uid it had when first seen: a changed uid is a release made twice.
    const seen = new Map<string, string>();
    const remade: string[] = [];
    const observe = async () => {
      for (const [name, uid] of await world.releases()) {
        if (seen.has(name) && seen.get(name) !== uid) remade.push(name);
        else seen.set(name, uid);
      }
    };
    let version = 'v1.0.0';
    const victims: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      // A new version every fifth kill: the syncs and installs the kills interrupt have work to do.
      if (i % 5 === 0) {
        version = `v1.0.${i / 5 + 1}`;
        await world.publishAll(version);
      }
      // A random point in the work: fault injection, not synchronisation.
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(next() * 2_300)));
      victims.push(
        await world.killAndReplace(next() < 0.5 ? 'syncer' : 'applier', (live) => Math.floor(next() * live)),
      );
      await observe();
    }
    const lastKill = Date.now();
    const syncedMs = await timeUntil(async () => {
      for (const name of world.sourceNames) {
        const syncTime = (await world.kube.get(ModuleSources, name))?.status?.syncTime;
        if (!syncTime || Date.parse(syncTime) < lastKill - 1_000) return false;
      }
      return true;
    }, 60_000);
    const convergedMs = await timeUntil(() => world.converged(version), 90_000);
    await observe();
    const queue = await world.syncQueueState();
    const problems = [
      ...(syncedMs === undefined
        ? ['sources not synced within 60 s of the last kill']
        : syncedMs > SYNC_BOUND_MS
          ? [`sources synced ${syncedMs} ms after the last kill (bound ${SYNC_BOUND_MS} ms)`]
          : []),
      ...(convergedMs === undefined
        ? [`${version} not synced and released within 90 s of the last kill; sync queue:\n${await world.queueReport()}`]
        : []),
      ...remade.map((name) => `release ${name} made again`),
      ...queue.schedulers.filter((s) => !nextRunPending(s.state)).map((s) => `schedule ${s.id}: next run ${s.state}`),
      ...(queue.schedulers.length === world.sourceNames.length
        ? []
        : [`${queue.schedulers.length} schedules, want ${world.sourceNames.length}`]),
      ...queue.activeAgesMs.filter((age) => age > 2 * INTERVAL_MS).map((age) => `a sync job running for ${age} ms`),
      ...(await world.overlappingSyncs()).map((o) => `synced twice at once: ${o}`),
      ...(await world.overlappingInstalls()).map((o) => `installed twice at once: ${o}`),
      ...world.exited().map((r) => `${r} exited`),
      ...(await secretsInLogs(env.logDir, [redis.password!])),
    ];
    await recordScenario(env.dir, {
      scenario: `R1 ${KILLS} replica kills (seed ${seed}; resync after the last)`,
      runs: 1,
      failures: problems.length > 0 ? 1 : 0,
      recoveryMs: syncedMs === undefined ? [] : [syncedMs],
    });
    expect(problems, `seed ${seed}, killed ${victims.join(', ')}`).toEqual([]);
  });
});
