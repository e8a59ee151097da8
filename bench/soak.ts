#!/usr/bin/env node
// Soak (`npm run soak -- --minutes N`, default 30; not in CI): 200 ModuleSources of 2 modules each, two syncer
// replicas and an applier running the bundles the image runs (releases decided, nothing installed), and a random
// workload for the whole run: pushes of new versions to random modules and channels, approve / apply-now annotations
// on pending releases, ModuleConfig changes (the module's update policy), resync requests. Every 10 s it samples each
// process: RSS (/proc), V8 heap used, event-loop delay p99 and open handles (the services' own /metrics, prom-client's
// default metrics). At the end: flat or not per series and process (bench/soak-series.ts), and the correctness checks
// (every version pushed to a followed channel became one ModuleRelease, none twice, no job stuck, no event left
// unacknowledged). How to read it: bench/README.md, "Soak".
import { RELEASE_ANNOTATIONS, releaseRepository } from '@modsync/dkp';
import { eventKeys } from '@modsync/events';
import {
  Informer,
  ModuleConfigs,
  type ModuleRelease,
  ModuleReleases,
  ModuleSources,
  ModuleUpdatePolicies,
} from '@modsync/k8s';
import { createRedis, mapLimit } from '@modsync/runtime';
import { sleep } from '@modsync/runtime/backoff';
import { syncerKeys } from '@modsync/syncer';
import { Queue } from 'bullmq';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildAll } from '../scripts/build.ts';
import { MEDIA_TYPES } from '../test/fixtures/module-artifacts.ts';
import { waitFor } from '../test/env/net.ts';
import { publishModules, releaseImage } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { type Bench, runBench } from './harness.ts';
import { type FlatRule, flatness, type Point } from './soak-series.ts';
import { counterSum, quantile, residentMemory } from './util.ts';
import { startWorld, type World } from './world.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    sources: { type: 'string', default: '200' },
  },
});
const MINUTES = Number(args.minutes);
const SOURCES = Number(args.sources);
if (!(MINUTES > 0) || !(SOURCES > 0)) throw new Error('--minutes and --sources take positive numbers');
const MODULES_PER_SOURCE = 2;
const SAMPLE_EVERY_MS = 10_000;
/** The schedule every source is synced on: pushes become releases within about this long. */
const SYNC_INTERVAL = '1m';
/** A workload action about every this long (uniformly 0.5–1.5 ×). */
const ACTION_EVERY_MS = 1_000;
/** After the workload: how long every pushed version has to show up as a release. */
const SETTLE_MS = 4 * 60_000;
/** A job active for longer than this at the end is stuck (twice the default MODSYNC_JOB_LOCK). */
const STUCK_AFTER_MS = 120_000;

interface Series {
  /** The key of a sample. */
  key: 'rss' | 'heapUsed' | 'loopP99' | 'handles' | 'fds';
  name: string;
  rule: FlatRule;
  show: (value: number) => string;
}

/** The rules of "flat" (bench/README.md, "Soak"): growth from the first third to the last of the steady part. */
const SERIES: readonly Series[] = [
  { key: 'rss', name: 'RSS', rule: { relative: 0.1, absolute: 8 * 2 ** 20 }, show: fmt.mb },
  { key: 'heapUsed', name: 'V8 heap used', rule: { relative: 0.15, absolute: 4 * 2 ** 20 }, show: fmt.mb },
  { key: 'loopP99', name: 'event-loop delay p99', rule: { relative: 1, absolute: 0.02 }, show: fmt.seconds },
  { key: 'handles', name: 'active handles', rule: { relative: 0.2, absolute: 5 }, show: (v) => v.toFixed(0) },
  { key: 'fds', name: 'open file descriptors', rule: { relative: 0.2, absolute: 5 }, show: (v) => v.toFixed(0) },
];

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  loopP99: number;
  /** libuv handles Node reports alive (sockets, timers with a ref, servers). */
  handles: number;
  /** Every open file descriptor of the process (sockets included): what a leak of connections shows in. */
  fds: number;
  /**
   * Kept in the JSON only, to tell where RSS growth is: the process's own pages, V8's memory outside the heap, and the
   * heap V8 has committed (it keeps pages a peak made it take, so RSS can step up while the heap used stays flat).
   */
  rssAnon: number;
  external: number;
  heapTotal: number;
}

interface Watched {
  name: string;
  pid: number;
  metrics(): Promise<string>;
  samples: Sample[];
}

interface Module {
  name: string;
  source: string;
  /** Last version number used on any channel (versions are v1.0.<n>, never reused). */
  patch: number;
  /** The last version pushed to `stable` (the channel both policies follow) not yet seen as a release. */
  awaiting?: string;
}

interface Pushed {
  module: string;
  version: string;
  pushedAt: number;
  seenAt?: number;
}

const POLICIES = { auto: 'soak-auto', manual: 'soak-manual' } as const;

/** The first `count` of `items` after `lead`, or nothing when there are none. */
function examples(items: readonly string[], lead: string, count = 5): string {
  return items.length === 0 ? '' : `${lead}${items.slice(0, count).join(', ')}`;
}

function pick<T>(items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(Math.random() * items.length)];
}

async function sample(watched: Watched, startedAt: number): Promise<void> {
  const [memory, metrics] = await Promise.all([residentMemory(watched.pid), watched.metrics()]);
  watched.samples.push({
    t: (performance.now() - startedAt) / 1000,
    rss: memory.rss,
    heapUsed: counterSum(metrics, 'modsync_nodejs_heap_size_used_bytes'),
    loopP99: counterSum(metrics, 'modsync_nodejs_eventloop_lag_p99_seconds'),
    handles: counterSum(metrics, 'modsync_nodejs_active_handles_total'),
    fds: counterSum(metrics, 'modsync_process_open_fds'),
    rssAnon: memory.anon,
    external: counterSum(metrics, 'modsync_nodejs_external_memory_bytes'),
    heapTotal: counterSum(metrics, 'modsync_nodejs_heap_size_total_bytes'),
  });
}

/** Sources, their modules (2 channels each, v1.0.0), the two policies and an enabled ModuleConfig per module. */
async function publish(world: World, group: string): Promise<{ sources: string[]; modules: Module[] }> {
  const { kube, bench } = world;
  for (const [name, mode] of [
    [POLICIES.auto, 'Auto'],
    [POLICIES.manual, 'Manual'],
  ] as const) {
    await kube.apply(ModuleUpdatePolicies, {
      apiVersion: 'deckhouse.io/v1alpha2',
      kind: 'ModuleUpdatePolicy',
      metadata: { name },
      spec: { releaseChannel: 'Stable', update: { mode } },
    });
  }
  const sources = Array.from({ length: SOURCES }, (_, i) => `soak-${String(i).padStart(3, '0')}`);
  const modules = sources.flatMap((source) =>
    Array.from({ length: MODULES_PER_SOURCE }, (_, j): Module => ({ name: `${source}-m${j}`, source, patch: 0 })),
  );
  bench.say('policies written; publishing the images…');
  await mapLimit(sources, 8, async (source) => {
    await publishModules({
      client: world.publishClient,
      settings: world.settingsOf(`soak-${world.run}/${source}`),
      modules: modules.filter((m) => m.source === source).map((m) => m.name),
      // The version tag too: the applier reads a release by its version (docs/dkp-contract.md).
      channels: ['stable', 'early-access', 'v1.0.0'],
      concurrency: 2,
    });
  });
  bench.say('images published; writing ModuleConfigs and ModuleSources…');
  await mapLimit(modules, 16, async (module) => {
    await kube.apply(ModuleConfigs, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name: module.name },
      spec: { enabled: true, source: module.source, updatePolicy: pick(Object.values(POLICIES))! },
    });
  });
  await mapLimit(sources, 16, async (source) => {
    await kube.apply(
      ModuleSources,
      world.moduleSource(source, group, `${world.registryHost}/soak-${world.run}/${source}`),
    );
  });
  return { sources, modules };
}

/** The steady part is the workload's: from the end of the warm-up (every first release seen) to the last action. */
function seriesFigures(bench: Bench, processes: readonly Watched[], steadyFrom: number, steadyTo: number): void {
  for (const series of SERIES) {
    for (const watched of processes) {
      const points: Point[] = watched.samples
        .filter((s) => s.t >= steadyFrom && s.t <= steadyTo)
        .map((s) => ({ t: s.t, value: s[series.key] }));
      const v = flatness(points, series.rule);
      const figure = bench.figure(`${series.key}:${watched.name}`, `${series.name}, ${watched.name}`, {
        targetShown: 'flat',
        target: { op: '=', value: 1 },
      });
      if (v === undefined) {
        figure.error = `${points.length} steady samples: too few for thirds`;
        continue;
      }
      const sign = v.growth >= 0 ? '+' : '−';
      Object.assign(figure, {
        value: v.flat ? 1 : 0,
        shown: `${v.flat ? 'flat' : 'grows'} ${sign}${series.show(Math.abs(v.growth))}`,
        note: [
          `first third ${series.show(v.firstMedian)} → last third ${series.show(v.lastMedian)}`,
          ` (medians, ${v.samples} samples); allowed +${series.show(v.allowed)};`,
          ` slope ${v.slopePerHour >= 0 ? '+' : '−'}${series.show(Math.abs(v.slopePerHour))}/h`,
        ].join(''),
        data: v,
      });
    }
  }
}

await runBench(
  {
    id: 'soak',
    title: `Soak: ${SOURCES} sources, ${MINUTES} min of random pushes, annotations, config changes and resyncs`,
    hardLimitMs: (MINUTES + 30) * 60_000,
    parameters: {
      minutes: MINUTES,
      sources: SOURCES,
      modulesPerSource: MODULES_PER_SOURCE,
      syncInterval: SYNC_INTERVAL,
      sampleEverySeconds: SAMPLE_EVERY_MS / 1000,
      actionEveryMs: ACTION_EVERY_MS,
      rules: Object.fromEntries(SERIES.map((s) => [s.key, s.rule])),
    },
  },
  async (bench) => {
    const none = (id: string, name: string) =>
      bench.figure(id, name, { target: { op: '=', value: 0 }, targetShown: '0' });
    const missing = none('missing', 'versions pushed to a followed channel without a ModuleRelease');
    const duplicates = none('duplicates', 'module versions with more than one ModuleRelease');
    const stuck = none('stuck', `syncer jobs active for more than ${STUCK_AFTER_MS / 1000} s at the end`);
    const unacked = none('unacked', 'discovery events the applier left unacknowledged or dead-lettered');
    const latency = bench.figure('latency', 'push → ModuleRelease visible, p95', { targetShown: '(reported)' });
    const workload = bench.figure('actions', 'workload actions drawn (errors)', { targetShown: '(reported)' });

    bench.context.bundleBytes = await buildAll({ quiet: true });
    const world = await startWorld(bench);
    const group = await world.syncerGroup('soak');
    const releases = new Informer<ModuleRelease>(world.kube, ModuleReleases, { retryDelayMs: 200 });
    const pushed = new Map<string, Pushed>();
    releases.on({
      onUpsert: (release) => {
        const p = pushed.get(release.metadata.name);
        if (p !== undefined && p.seenAt === undefined) p.seenAt = performance.now();
      },
    });
    releases.start();
    bench.onCleanup('release informer', () => releases.stop());
    await releases.synced;
    bench.say(`publishing ${SOURCES} sources × ${MODULES_PER_SOURCE} modules…`);

    const { sources, modules } = await publish(world, group.group);
    for (const module of modules) {
      pushed.set(`${module.name}-v1.0.0`, { module: module.name, version: 'v1.0.0', pushedAt: performance.now() });
    }
    const startedAt = performance.now();
    const env = { MODSYNC_SYNC_INTERVAL: SYNC_INTERVAL };
    const syncers = [await world.startReplica(group, 'soak-a', env), await world.startReplica(group, 'soak-b', env)];
    const applier = await world.startApplier(group, 'soak');
    const processes: Watched[] = [
      ...syncers.map((s, i) => ({
        name: `syncer ${'ab'[i]}`,
        pid: s.pid,
        metrics: () => s.metrics(),
        samples: [] as Sample[],
      })),
      { name: 'applier', pid: applier.pid, metrics: applier.metrics, samples: [] },
    ];
    const loads: { t: number; load1: number }[] = [];
    const sampler = setInterval(() => {
      loads.push({ t: (performance.now() - startedAt) / 1000, load1: loadavg()[0]! });
      for (const watched of processes) {
        sample(watched, startedAt).catch((err: unknown) =>
          bench.say(`sampling ${watched.name}: ${(err as Error).message}`),
        );
      }
    }, SAMPLE_EVERY_MS);
    bench.onCleanup('sampler', async () => clearInterval(sampler));

    const seenAll = () => [...pushed.values()].every((p) => p.seenAt !== undefined);
    bench.say('processes started; waiting for the first release of every module…');
    await waitFor('the first release of every module', async () => seenAll(), 15 * 60_000, 1_000);
    const warmupSeconds = (performance.now() - startedAt) / 1000;
    bench.context.warmupSeconds = warmupSeconds;
    bench.say(
      `warm-up done in ${warmupSeconds.toFixed(0)} s: ${modules.length} first releases; workload for ${MINUTES} min`,
    );

    const counts = {
      push: 0,
      pushOtherChannel: 0,
      approve: 0,
      applyNow: 0,
      config: 0,
      resync: 0,
      /** Approve or apply-now drawn while no release was Pending. */
      nonePending: 0,
    };
    /** Seconds spent in actions (the rest of the workload's time: the pauses between them). */
    let busySeconds = 0;
    const errors: string[] = [];
    const byName = new Map(modules.map((m) => [m.name, m]));
    const push = async (channel: 'stable' | 'early-access') => {
      const free = channel === 'stable' ? modules.filter((m) => m.awaiting === undefined) : modules;
      const module = pick(free);
      if (module === undefined) return;
      const version = `v1.0.${++module.patch}`;
      const image = await releaseImage(version);
      const settings = world.settingsOf(`soak-${world.run}/${module.source}`);
      const repository = releaseRepository(settings.pathPrefix, module.name);
      await world.publishClient.pushBlob(settings, repository, image.layer);
      await world.publishClient.pushBlob(settings, repository, image.config);
      await world.publishClient.pushManifest(settings, repository, version, image.manifest, MEDIA_TYPES.manifest);
      if (channel === 'stable') {
        module.awaiting = version;
        pushed.set(`${module.name}-${version}`, { module: module.name, version, pushedAt: performance.now() });
      }
      await world.publishClient.pushManifest(settings, repository, channel, image.manifest, MEDIA_TYPES.manifest);
      counts[channel === 'stable' ? 'push' : 'pushOtherChannel']++;
    };
    /** `annotation: "true"` on a random Pending release (none: nothing to do). */
    const annotatePending = async (annotation: string, counter: keyof typeof counts) => {
      const release = pick(releases.list().filter((r) => r.status?.phase === 'Pending'));
      if (release === undefined) {
        counts.nonePending++;
        return;
      }
      const annotations = { [annotation]: 'true' };
      await world.kube.mergePatch(ModuleReleases, release.metadata.name, { metadata: { annotations } });
      counts[counter]++;
    };
    const actions: { weight: number; run: () => Promise<void> }[] = [
      { weight: 40, run: () => push('stable') },
      { weight: 10, run: () => push('early-access') },
      { weight: 15, run: () => annotatePending(RELEASE_ANNOTATIONS.approved, 'approve') },
      { weight: 10, run: () => annotatePending(RELEASE_ANNOTATIONS.applyNow, 'applyNow') },
      {
        weight: 15,
        run: async () => {
          const module = pick(modules)!;
          const config = await world.kube.get(ModuleConfigs, module.name);
          const other = config?.spec?.updatePolicy === POLICIES.auto ? POLICIES.manual : POLICIES.auto;
          await world.kube.mergePatch(ModuleConfigs, module.name, { spec: { updatePolicy: other } });
          counts.config++;
        },
      },
      {
        weight: 10,
        run: async () => {
          await pick(syncers)!.resync(pick(sources)!);
          counts.resync++;
        },
      },
    ];
    const totalWeight = actions.reduce((s, a) => s + a.weight, 0);
    // Stable pushes wait for their release: a module gets its next stable version once the last one is a release.
    releases.on({
      onUpsert: (release) => {
        const module = byName.get(release.spec.moduleName);
        if (module !== undefined && module.awaiting === release.spec.version) module.awaiting = undefined;
      },
    });

    const workloadEnds = performance.now() + MINUTES * 60_000;
    let lastReport = performance.now();
    while (performance.now() < workloadEnds) {
      const roll = Math.random() * totalWeight;
      let cumulative = 0;
      const action =
        actions.find((a) => {
          cumulative += a.weight;
          return roll < cumulative;
        }) ?? actions[0]!;
      const began = performance.now();
      try {
        await action.run();
      } catch (err) {
        errors.push((err as Error).message);
      }
      busySeconds += (performance.now() - began) / 1000;
      if (performance.now() - lastReport > 60_000) {
        lastReport = performance.now();
        bench.say(`workload: ${JSON.stringify(counts)}, ${errors.length} errors`);
      }
      await sleep(ACTION_EVERY_MS * (0.5 + Math.random()));
    }
    const workloadSeconds = (performance.now() - startedAt) / 1000;
    bench.say(`workload done: ${JSON.stringify(counts)}; waiting for the last pushes' releases`);
    try {
      await waitFor('every pushed version as a ModuleRelease', async () => seenAll(), SETTLE_MS, 1_000);
    } catch {
      // Counted below as missing.
    }
    clearInterval(sampler);

    // Correctness.
    const notSeen = [...pushed.entries()].filter(([, p]) => p.seenAt === undefined).map(([name]) => name);
    Object.assign(missing, {
      value: notSeen.length,
      shown: String(notSeen.length),
      note: `${pushed.size} versions pushed to stable (${modules.length} first ones)${examples(notSeen, '; e.g. ')}`,
      data: notSeen,
    });
    const perVersion = new Map<string, string[]>();
    for (const release of releases.list()) {
      const key = `${release.spec.moduleName}@${release.spec.version}`;
      perVersion.set(key, [...(perVersion.get(key) ?? []), release.metadata.name]);
    }
    const twice = [...perVersion.entries()].filter(([, names]) => names.length > 1);
    const unexpected = releases
      .list()
      .filter((r) => !pushed.has(r.metadata.name))
      .map((r) => r.metadata.name);
    const strays = examples(unexpected, ': ');
    Object.assign(duplicates, {
      value: twice.length,
      shown: String(twice.length),
      note: `${releases.list().length} ModuleReleases; ${unexpected.length} not of a pushed stable version${strays}`,
      data: { twice, unexpected },
    });

    const keys = syncerKeys(group.prefix);
    const connection = createRedis({
      target: world.env.info.redis!.url,
      name: 'bench-soak',
      maxRetriesPerRequest: null,
    });
    bench.onCleanup('queue connection', async () => connection.disconnect());
    const jobStates: Record<string, unknown> = {};
    let stuckJobs = 0;
    for (const name of [keys.syncQueue, keys.resyncQueue]) {
      const queue = new Queue(name, { connection, prefix: keys.bullPrefix });
      jobStates[name] = await queue.getJobCounts('active', 'waiting', 'delayed', 'failed', 'completed');
      const now = Date.now();
      for (const job of await queue.getJobs(['active'])) {
        if (job.processedOn !== undefined && now - job.processedOn > STUCK_AFTER_MS) stuckJobs++;
      }
      await queue.close();
    }
    Object.assign(stuck, {
      value: stuckJobs,
      shown: String(stuckJobs),
      note: JSON.stringify(jobStates),
      data: jobStates,
    });

    const events = eventKeys(keys.events);
    const streamLength = await connection.xlen(events.stream);
    const [pending] = (await connection.call('XPENDING', events.stream, 'applier')) as [number];
    const deadLettered = await connection.xlen(events.deadLetter('applier'));
    Object.assign(unacked, {
      value: pending + deadLettered,
      shown: String(pending + deadLettered),
      note: `${pending} pending in the group, ${deadLettered} dead-lettered; ${streamLength} events in the stream`,
    });

    const lags = [...pushed.values()]
      .filter((p) => p.seenAt !== undefined && p.version !== 'v1.0.0')
      .map((p) => (p.seenAt! - p.pushedAt) / 1000);
    const p95 = quantile(lags, 0.95);
    Object.assign(latency, {
      value: p95,
      shown: fmt.seconds(p95),
      note: [
        `p50 ${fmt.seconds(quantile(lags, 0.5))}, max ${fmt.seconds(Math.max(...lags))} over ${lags.length} pushes;`,
        ` polled every ${SYNC_INTERVAL} (no notifications)`,
      ].join(''),
    });
    const done = Object.values(counts).reduce((s, n) => s + n, 0);
    Object.assign(workload, {
      value: done,
      shown: `${done} (${errors.length})`,
      note: [
        `${JSON.stringify(counts)}; ${fmt.num(busySeconds / done)} s per action on average`,
        examples([...new Set(errors)], '; first errors: ', 3),
      ].join(''),
      data: { counts, busySeconds, errors },
    });

    seriesFigures(bench, processes, warmupSeconds, workloadSeconds);
    const load1 = loads.map((l) => l.load1);
    bench.context.workloadSeconds = workloadSeconds;
    bench.context.loadAverage1m = { median: quantile(load1, 0.5), max: Math.max(...load1), samples: loads };
    bench.context.samples = Object.fromEntries(processes.map((p) => [p.name, p.samples]));
    bench.say(`load average (1 min) during the run: median ${quantile(load1, 0.5)}, max ${Math.max(...load1)}`);
  },
);
