#!/usr/bin/env node
// P5, releases written: 1,000 modules are enabled and each gets its first release, v1.0.0, deployed (phase A, timed on
// its own); then every module's channel moves from v1.0.0 to v1.3.0 with v1.1.0 and v1.2.0 in the registry, and one
// resync of the source makes the applier write 3 ModuleReleases per module (phase B, the figure). That is the applier's
// step-by-step path (libs/dkp releasesToCreate): the channel is more than one minor above the Deployed release, so the
// applier lists the bundle tags, reads each step's release image and creates the newest patch of every minor on the
// way. Patch steps (v1.0.1 … v1.0.3) would not exercise it: within one minor only the channel's release is created.
// Baseline, same run, same API server, the applier stopped: a raw loop creating the same 3,000 objects (renamed) with
// plain client calls, as many at once as the applier reconciles modules (MODSYNC_RECONCILE_CONCURRENCY, 4).
// Syncer and applier run the bundles, as the image does, with the shared registry budget out of the way (P3's reason).
// Run alone: `node bench/p5-releases.ts` (P5_MODULES sets the module count); `npm run bench` runs it with the others.
import {
  Informer,
  type KubeClient,
  ModuleConfigs,
  type ModuleRelease,
  ModuleReleases,
  ModuleSources,
} from '@modsync/k8s';
import { mapLimit } from '@modsync/runtime';
import { buildAll } from '../scripts/build.ts';
import { publishModules, publishSteps } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { isSynced } from './source-watch.ts';
import { counterSum } from './util.ts';
import type { SyncerProcess } from './syncer-process.ts';
import { type MeasuredProcess, moduleNames, startWorld } from './world.ts';

const MODULES = Number(process.env.P5_MODULES ?? 1_000);
const FIRST = 'v1.0.0';
const STEPS = ['v1.1.0', 'v1.2.0', 'v1.3.0'] as const;
/** The applier's default MODSYNC_RECONCILE_CONCURRENCY: modules reconciled, so releases created, at once. */
const CONCURRENCY = 4;
const SERVICE_ENV = { MODSYNC_REGISTRY_RPS: '100000' };
const WAIT_MS = 600_000;

/** A watch of every ModuleRelease; `until` resolves at the moment (performance.now()) `n` of them match. */
class ReleaseTally {
  readonly informer: Informer<ModuleRelease>;

  constructor(kube: KubeClient) {
    this.informer = new Informer(kube, ModuleReleases, { retryDelayMs: 200 });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  /** Also gives the moment the first one matched (undefined when one already did). */
  until(what: string, match: (r: ModuleRelease) => boolean, n: number): Promise<{ atMs: number; firstMs?: number }> {
    const matched = new Set(
      this.informer
        .list()
        .filter(match)
        .map((r) => r.metadata.name),
    );
    let firstMs: number | undefined;
    return new Promise((resolve, reject) => {
      const handlers = {
        onUpsert: (release: ModuleRelease) => {
          if (!match(release)) return;
          if (matched.size === 0) firstMs = performance.now();
          matched.add(release.metadata.name);
          if (matched.size >= n) done();
        },
      };
      const timer = setTimeout(() => {
        this.informer.off(handlers);
        reject(new Error(`${what}: ${matched.size} of ${n} within ${WAIT_MS / 1000} s`));
      }, WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        this.informer.off(handlers);
        resolve({ atMs: performance.now(), ...(firstMs === undefined ? {} : { firstMs }) });
      };
      this.informer.on(handlers);
      if (matched.size >= n) done();
    });
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

/** The applier's ModuleRelease writes and all its writes, from its /metrics. */
function writesOf(metrics: string): { releases: number; all: number } {
  return {
    releases: counterSum(metrics, 'modsync_applier_writes_total', { kind: 'ModuleRelease' }),
    all: counterSum(metrics, 'modsync_applier_writes_total'),
  };
}

await runBench(
  {
    id: 'p5',
    title: `P5 releases written: ${MODULES.toLocaleString('en')} modules × ${STEPS.length} releases`,
    hardLimitMs: 20 * 60_000,
    parameters: { modules: MODULES, first: FIRST, steps: STEPS, concurrency: CONCURRENCY, serviceEnv: SERVICE_ENV },
  },
  async (bench) => {
    const total = MODULES * STEPS.length;
    const ratio = bench.figure('P5', `${total.toLocaleString('en')} releases by the applier vs a raw create loop`, {
      target: { op: '>=', value: 0.5 },
      targetShown: '≥ 0.50×',
    });
    const perRelease = bench.figure('P5b', 'applier writes per release created (its /metrics)', {
      targetShown: '(reported)',
    });
    const first = bench.figure(
      'P5c',
      `first releases: ${MODULES.toLocaleString('en')} × ${FIRST} written and Deployed`,
      {
        targetShown: '(reported)',
      },
    );
    bench.context.bundleBytes = await buildAll({ quiet: true });
    const world = await startWorld(bench);
    const { kube } = world;
    const modules = moduleNames(MODULES);
    const path = `bench-${world.run}/p5`;
    const settings = world.settingsOf(path);
    const tally = new ReleaseTally(kube);
    await tally.start();
    bench.onCleanup('release watch', () => tally.stop());
    const group = await world.syncerGroup('p5');
    const source = `p5-${world.run}`;
    const versionOf = (name: string, module: string) => name.slice(module.length + 1);
    const isStep = (r: ModuleRelease) =>
      (STEPS as readonly string[]).includes(versionOf(r.metadata.name, r.spec.moduleName));

    let applierSeconds = Number.NaN;
    let syncer: SyncerProcess | undefined;
    let applier: MeasuredProcess | undefined;
    await bench.phase('phase A: first releases', [ratio, perRelease, first], async () => {
      const published = performance.now();
      // `release:v1.0.0` too, as DKP's registries have it: a module reconciled before the syncer's event reads it.
      await publishModules({
        client: world.publishClient,
        settings,
        modules,
        version: FIRST,
        channels: ['stable', FIRST],
        concurrency: 64,
      });
      bench.say(`published ${MODULES} modules in ${fmt.seconds((performance.now() - published) / 1000)}`);
      await mapLimit(modules, 16, (module) =>
        kube.apply(ModuleConfigs, {
          apiVersion: 'deckhouse.io/v1alpha1',
          kind: 'ModuleConfig',
          metadata: { name: module },
          spec: { enabled: true, source },
        }),
      );
      syncer = await world.startReplica(group, 'p5', SERVICE_ENV);
      await syncer.leading(kube, group.namespace);
      applier = await world.startApplier(group, 'p5', SERVICE_ENV);
      const started = performance.now();
      const deployed = tally.until(
        `${FIRST} Deployed`,
        (r) => versionOf(r.metadata.name, r.spec.moduleName) === FIRST && r.status?.phase === 'Deployed',
        MODULES,
      );
      await kube.apply(ModuleSources, world.moduleSource(source, group.group, `${world.registryHost}/${path}`));
      await world.watch.waitFor(source, isSynced(MODULES), WAIT_MS);
      const { atMs } = await deployed;
      Object.assign(first, {
        value: (atMs - started) / 1000,
        shown: fmt.seconds((atMs - started) / 1000),
        note: 'new ModuleSource → every first release Deployed (sync included; MODSYNC_INSTALLER=none)',
      });
    });
    await bench.phase('phase B: the applier writes the steps', [ratio, perRelease], async () => {
      const published = performance.now();
      const { requests } = await publishSteps({
        client: world.publishClient,
        settings,
        modules,
        steps: STEPS,
        concurrency: 64,
      });
      bench.say(
        `published ${STEPS.join(', ')} (${requests} requests) in ${fmt.seconds((performance.now() - published) / 1e3)}`,
      );
      // Nothing moves before the resync: the syncer polls every 10,000 h.
      if (tally.informer.list().some(isStep)) throw new Error('step releases appeared before the resync');
      if (syncer === undefined || applier === undefined)
        throw new Error('phase A did not start the syncer and applier');
      const before = writesOf(await applier.metrics());
      const written = tally.until('step releases', isStep, total);
      const started = performance.now();
      await syncer.resync(source);
      const { atMs, firstMs } = await written;
      applierSeconds = (atMs - started) / 1000;
      const after = writesOf(await applier.metrics());
      const releaseWrites = after.releases - before.releases;
      Object.assign(perRelease, {
        value: releaseWrites / total,
        shown: fmt.num(releaseWrites / total, 2),
        note: [
          `${releaseWrites} ModuleRelease writes (creates and patches) for ${total} releases;`,
          ` ${after.all - before.all} writes of every kind until the last one was seen`,
        ].join(''),
      });
      ratio.data = {
        applierSeconds,
        firstReleaseAfterSeconds: firstMs === undefined ? undefined : (firstMs - started) / 1000,
        writes: { before, after },
      };
      await applier.stop();
    });
    await bench.phase('baseline: raw create loop', [ratio], async () => {
      const steps = tally.informer.list().filter(isStep);
      const copies = steps.map(
        (r): ModuleRelease => ({
          apiVersion: r.apiVersion,
          kind: r.kind,
          metadata: {
            name: `raw-${r.metadata.name}`,
            labels: r.metadata.labels ?? {},
            annotations: r.metadata.annotations ?? {},
            ownerReferences: r.metadata.ownerReferences ?? [],
          },
          spec: r.spec,
        }),
      );
      // Module by module, its releases one after the other, CONCURRENCY modules at once: as the applier writes them.
      const byModule = Map.groupBy(copies, (r) => r.spec.moduleName);
      const started = performance.now();
      await mapLimit([...byModule.values()], CONCURRENCY, async (releases) => {
        for (const release of releases) await kube.create(ModuleReleases, release);
      });
      const rawSeconds = (performance.now() - started) / 1000;
      const value = rawSeconds / applierSeconds;
      const data = ratio.data as { firstReleaseAfterSeconds?: number };
      const span =
        data.firstReleaseAfterSeconds === undefined
          ? ''
          : `; first step release ${fmt.seconds(data.firstReleaseAfterSeconds)} after the resync`;
      Object.assign(ratio, {
        value,
        shown: fmt.ratio(value),
        note: [
          `raw loop ${fmt.seconds(rawSeconds)} vs applier ${fmt.seconds(applierSeconds)}`,
          ` (resync request → ${total} step releases seen, sync and registry reads included${span});`,
          ` ${CONCURRENCY} at once; shared registry budget ${SERVICE_ENV.MODSYNC_REGISTRY_RPS} req/s`,
        ].join(''),
        data: { ...data, rawSeconds },
      });
    });
  },
);
