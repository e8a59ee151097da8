#!/usr/bin/env node
// P4: push → ModuleRelease visible. Starts its own environment (kube-apiserver, Redis, two registries on loopback), a
// syncer and an applier as real processes running what the image runs (the bundles, built first), and measures, one
// push at a time, from the PUT of a module's `release:stable` to the moment a watch sees the new ModuleRelease:
//   - with notifications: the registry sends its push events to the syncer (docs/operations.md#registry-notifications),
//     the source's own poll interval is an hour, so only a notification can make the release appear;
//   - polling only (the baseline, same run): a second registry without notifications, its source polled every
//     P4_POLL_INTERVAL (5 s); each push waits a random part of the interval first, so pushes land at every phase of
//     the poll. DKP polls every 3 minutes: its latency is that interval's figures scaled up.
// Prints the figures (bench/figures.ts) and writes bench/results/p4-<time>.json. Run: `node bench/p4-push.ts`.
// P4_PUSHES (100) and P4_POLL_PUSHES (20) set the sample counts; P4_KEEP_LOGS=1 keeps the servers' logs.
import { readFile } from 'node:fs/promises';
import { releaseRepository } from '@modsync/dkp';
import {
  Informer,
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  ModuleSources,
  type ModuleRelease,
} from '@modsync/k8s';
import {
  createRegistryClient,
  parseRegistrySettings,
  type RegistryClient,
  type RegistrySettings,
} from '@modsync/registry';
import { sleep } from '@modsync/runtime/backoff';
import { buildAll } from '../scripts/build.ts';
import { startEnvironment, type Environment } from '../test/env/environment.ts';
import { freePort } from '../test/env/net.ts';
import { startRegistry, type TestRegistry } from '../test/env/registry.ts';
import { startService, type RunningService } from '../test/env/services.ts';
import { MEDIA_TYPES } from '../test/fixtures/module-artifacts.ts';
import { releaseImage } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { counterSum, median, quantile } from './util.ts';

const RUN = Date.now().toString(36);
/** The whole run stops (and cleans up) after this long, whatever it is doing. */
const HARD_LIMIT_MS = 8 * 60_000;
const PUSHES = Number(process.env.P4_PUSHES ?? 100);
const POLL_PUSHES = Number(process.env.P4_POLL_PUSHES ?? 20);
const POLL_INTERVAL_S = Number(process.env.P4_POLL_INTERVAL ?? 5);
/** A release that takes longer than this is a failed sample (the run goes on). */
const SAMPLE_TIMEOUT_MS = Math.max(30_000, POLL_INTERVAL_S * 3_000);
const TOKEN = `p4-notify-${RUN}-0123456789`;

/** Resolves the moment a watch of ModuleReleases sees one of the given name (or has it already). */
class ReleaseWatch {
  private readonly informer: Informer<ModuleRelease>;
  private readonly waiters = new Map<string, (atMs: number) => void>();

  constructor(kube: KubeClient) {
    this.informer = new Informer(kube, ModuleReleases, { retryDelayMs: 200 });
    this.informer.on({
      onUpsert: (release) => {
        const waiter = this.waiters.get(release.metadata.name);
        if (!waiter) return;
        this.waiters.delete(release.metadata.name);
        waiter(performance.now());
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  seen(name: string, timeoutMs: number): Promise<number> {
    if (this.informer.get(name)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(name);
        reject(new Error(`ModuleRelease ${name} not seen within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiters.set(name, (atMs) => {
        clearTimeout(timer);
        resolve(atMs);
      });
    });
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }
}

interface Sample {
  version: string;
  /** Seconds from the channel tag's PUT to the watch seeing the release; undefined when it timed out. */
  seconds?: number;
  /** Seconds of the PUT itself (the registry's answer: the push is done). */
  putSeconds: number;
  error?: string;
}

/**
 * One module of one source: each sample uploads a new release image's blobs, then (timed) PUTs `release:stable` and
 * waits until the release appears. `beforePush` runs before the timed part.
 */
async function measure(
  say: (line: string) => void,
  label: string,
  client: RegistryClient,
  settings: RegistrySettings,
  module: string,
  watch: ReleaseWatch,
  count: number,
  firstPatch: number,
  beforePush: () => Promise<void> = async () => undefined,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const repository = releaseRepository(settings.pathPrefix, module);
  for (let i = 0; i < count; i++) {
    const version = `v1.0.${firstPatch + i}`;
    const image = await releaseImage(version);
    await client.pushBlob(settings, repository, image.layer);
    await client.pushBlob(settings, repository, image.config);
    await beforePush();
    const seen = watch.seen(`${module}-${version}`, SAMPLE_TIMEOUT_MS);
    const t0 = performance.now();
    await client.pushManifest(settings, repository, 'stable', image.manifest, MEDIA_TYPES.manifest);
    const putSeconds = (performance.now() - t0) / 1000;
    try {
      samples.push({ version, seconds: ((await seen) - t0) / 1000, putSeconds });
    } catch (err) {
      samples.push({ version, putSeconds, error: (err as Error).message });
    }
    if ((i + 1) % 10 === 0 || i + 1 === count) say(`${label}: ${i + 1}/${count}`);
  }
  return samples;
}

function summary(samples: readonly Sample[]) {
  const seconds = samples.flatMap((s) => (s.seconds === undefined ? [] : [s.seconds]));
  return {
    count: samples.length,
    failed: samples.length - seconds.length,
    p50: median(seconds),
    p95: quantile(seconds, 0.95),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
  };
}

await runBench(
  {
    id: 'p4',
    title: 'P4 push → ModuleRelease visible',
    hardLimitMs: HARD_LIMIT_MS,
    parameters: { pushes: PUSHES, pollPushes: POLL_PUSHES, pollIntervalSeconds: POLL_INTERVAL_S },
  },
  async (bench) => {
    const p4 = bench.figure('P4', `push → ModuleRelease visible, with notifications, p95 (${PUSHES} pushes)`, {
      target: { op: '<=', value: 2 },
      targetShown: '≤ 2 s',
    });
    const p4b = bench.figure('P4b', 'push → ModuleRelease visible, with notifications, p50', {
      targetShown: '(reported)',
    });
    const p4c = bench.figure(
      'P4c',
      `push → ModuleRelease visible, polling only every ${POLL_INTERVAL_S} s, p95 (${POLL_PUSHES} pushes; baseline)`,
      { targetShown: '(baseline)' },
    );
    const p4d = bench.figure('P4d', 'polling-only p50 ÷ notifications p50', { targetShown: '(reported)' });
    bench.say('building the bundles the image runs…');
    await buildAll({ quiet: true });
    bench.say('starting the environment…');
    // P4_KEEP_LOGS=1 keeps the servers' logs (the folder is printed).
    const keepDir = process.env.P4_KEEP_LOGS === '1';
    const env: Environment = await startEnvironment({
      controlPlane: true,
      redis: { password: true },
      keepDir,
      log: (line) => bench.say(`env: ${line}`),
    });
    if (keepDir) bench.say(`logs: ${env.info.logDir}`);
    bench.onCleanup('environment', () => env.stop());
    const info = env.info;

    const syncerPort = await freePort();
    const notifying: TestRegistry = await startRegistry({
      logDir: info.logDir,
      dir: info.dir,
      name: 'p4-notifying',
      notifications: { url: `http://127.0.0.1:${syncerPort}/notifications/registry`, token: TOKEN },
    });
    bench.onCleanup('notifying registry', () => notifying.stop());
    const polled: TestRegistry = await startRegistry({ logDir: info.logDir, dir: info.dir, name: 'p4-polled' });
    bench.onCleanup('polled registry', () => polled.stop());

    const kube = await KubeClient.create(kubeConfigFromString(await readFile(info.kubeconfig!, 'utf8')));
    bench.onCleanup('kube client', () => kube.close());
    const client = createRegistryClient({ requestsPerSecondPerHost: 10_000, burstPerHost: 10_000 });
    bench.onCleanup('registry client', () => client.close());

    const serviceEnv = {
      MODSYNC_REDIS_URL: info.redis!.url,
      KUBECONFIG: info.kubeconfig!,
      MODSYNC_REDIS_PREFIX: `p4-${RUN}`,
      MODSYNC_NAMESPACE: 'default',
      MODSYNC_LOG_LEVEL: process.env.P4_LOG_LEVEL ?? 'warn',
    };
    const syncer: RunningService = await startService('syncer', {
      logDir: info.logDir,
      instance: `p4-${RUN}`,
      built: true,
      env: {
        ...serviceEnv,
        MODSYNC_HTTP_PORT: String(syncerPort),
        MODSYNC_SYNC_INTERVAL: '1h',
        MODSYNC_NOTIFICATION_TOKEN: TOKEN,
      },
    });
    bench.onCleanup('syncer', () => syncer.stop());
    const applier: RunningService = await startService('applier', {
      logDir: info.logDir,
      instance: `p4-${RUN}`,
      built: true,
      env: { ...serviceEnv, MODSYNC_INSTALLER: 'none' },
    });
    bench.onCleanup('applier', () => applier.stop());

    const watch = new ReleaseWatch(kube);
    await watch.start();
    bench.onCleanup('release watch', () => watch.stop());

    // One module per source, listed in its catalogue with a first release, enabled; the first release deploys at once.
    const setup = async (registry: TestRegistry, source: string, module: string, scanInterval: string) => {
      const path = `p4-${RUN}/${source}`;
      const settings = parseRegistrySettings({ repo: `${registry.host}/${path}`, scheme: 'HTTP' });
      const catalog = await releaseImage('v0.0.0');
      await client.pushBlob(settings, path, catalog.layer);
      await client.pushBlob(settings, path, catalog.config);
      await client.pushManifest(settings, path, module, catalog.manifest, MEDIA_TYPES.manifest);
      const first = await releaseImage('v1.0.0');
      const repository = releaseRepository(settings.pathPrefix, module);
      await client.pushBlob(settings, repository, first.layer);
      await client.pushBlob(settings, repository, first.config);
      await client.pushManifest(settings, repository, 'stable', first.manifest, MEDIA_TYPES.manifest);
      await kube.apply(ModuleConfigs, {
        apiVersion: 'deckhouse.io/v1alpha1',
        kind: 'ModuleConfig',
        metadata: { name: module },
        spec: { enabled: true, source },
      });
      await kube.apply(ModuleSources, {
        apiVersion: 'deckhouse.io/v1alpha1',
        kind: 'ModuleSource',
        metadata: { name: source },
        spec: { registry: { repo: `${registry.host}/${path}`, scheme: 'HTTP' }, scanInterval },
      });
      await watch.seen(`${module}-v1.0.0`, 60_000);
      return settings;
    };
    const notifySettings = await setup(notifying, `p4-notify-${RUN}`, `p4n-${RUN}`, '1h');
    const pollSettings = await setup(polled, `p4-poll-${RUN}`, `p4p-${RUN}`, `${POLL_INTERVAL_S}s`);
    bench.say('sources synced, first releases created');

    const notified = await measure(bench.say, 'notifications', client, notifySettings, `p4n-${RUN}`, watch, PUSHES, 1);
    const polling = await measure(
      bench.say,
      'polling only',
      client,
      pollSettings,
      `p4p-${RUN}`,
      watch,
      POLL_PUSHES,
      1,
      () => sleep(Math.random() * POLL_INTERVAL_S * 1000),
    );
    const metrics = await (await fetch(`${syncer.url}/metrics`)).text();

    const n = summary(notified);
    const p = summary(polling);
    const failures = (s: ReturnType<typeof summary>) =>
      s.failed > 0 ? `; ${s.failed} of ${s.count} not seen within ${SAMPLE_TIMEOUT_MS / 1000} s` : '';
    Object.assign(p4, {
      value: n.p95,
      shown: fmt.seconds(n.p95),
      note: `min ${fmt.seconds(n.min)}, max ${fmt.seconds(n.max)}${failures(n)}`,
      data: notified,
    });
    Object.assign(p4b, { value: n.p50, shown: fmt.seconds(n.p50) });
    Object.assign(p4c, {
      value: p.p95,
      shown: fmt.seconds(p.p95),
      note: `p50 ${fmt.seconds(p.p50)}; at DKP's 3 min interval, scale by 36${failures(p)}`,
      data: polling,
    });
    Object.assign(p4d, { value: p.p50 / n.p50, shown: fmt.ratio(p.p50 / n.p50) });
    const notificationSyncs = counterSum(metrics, 'modsync_notification_syncs_total');
    p4b.note = `${notificationSyncs} syncs asked for by notifications (${counterSum(metrics, 'modsync_notification_syncs_total', { collapsed: 'true' })} collapsed)`;
    if (n.failed > 0 || p.failed > 0) throw new Error(`${n.failed + p.failed} pushes were not seen as releases`);
  },
);
