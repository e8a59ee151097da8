// The environment a syncer benchmark runs in, started by the script itself: kube-apiserver, Redis and the registry on
// loopback (test/env), a Kubernetes client, a Redis connection, a registry client for publishing (not measured) and a
// watch of the run's ModuleSources; and the helpers every syncer benchmark uses on it.
import { readFile } from 'node:fs/promises';
import { KubeClient, kubeConfigFromString, type ModuleSource, type ResourceType } from '@modsync/k8s';
import {
  createRegistryClient,
  parseRegistrySettings,
  type RegistryClient,
  type RegistrySettings,
} from '@modsync/registry';
import { createRedis, type RedisClient } from '@modsync/runtime';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../test/env/net.ts';
import { startEnvironment, type Environment } from '../test/env/environment.ts';
import { startService } from '../test/env/services.ts';
import { fmt } from './figures.ts';
import type { Bench } from './harness.ts';
import { SourceWatch } from './source-watch.ts';
import { GROUP_LABEL, SyncerProcess, type SyncerGroup } from './syncer-process.ts';
import { counterSum, residentMemory } from './util.ts';

/** A modsync process whose memory and /metrics the benchmark reads. */
export interface MeasuredProcess {
  readonly pid: number;
  memory(): Promise<{ rss: number; peak: number; anon: number; file: number }>;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

const RUN_LABEL = 'modsync.bench/run';

const Namespaces: ResourceType<{ apiVersion: 'v1'; kind: 'Namespace'; metadata: { name: string } }> = {
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
};

export interface World {
  readonly bench: Bench;
  /** Distinguishes this run's objects, keys and repositories. */
  readonly run: string;
  readonly env: Environment;
  readonly kube: KubeClient;
  readonly redis: RedisClient;
  /** No request budget, many requests at once: the publisher is not what is measured. */
  readonly publishClient: RegistryClient;
  readonly watch: SourceWatch;
  /** `host:port` of the registry. */
  readonly registryHost: string;
  settingsOf(path: string): RegistrySettings;
  moduleSource(name: string, group: string, repo: string): ModuleSource;
  /** A replica group of its own (selector label, Redis prefix, namespace), with its namespace created. */
  syncerGroup(name: string): Promise<SyncerGroup>;
  startReplica(group: SyncerGroup, instance: string, extraEnv?: Record<string, string>): Promise<SyncerProcess>;
  /** An applier of the group (the bundle, as the image runs it), deciding releases only (`MODSYNC_INSTALLER=none`). */
  startApplier(group: SyncerGroup, instance: string, extraEnv?: Record<string, string>): Promise<MeasuredProcess>;
}

export async function startWorld(bench: Bench): Promise<World> {
  const run = Date.now().toString(36);
  const env = await startEnvironment({
    controlPlane: true,
    redis: { password: true },
    registry: true,
    log: (line) => bench.say(`env: ${line}`),
  });
  // Removing the registry container deletes every repository's files: allow for it.
  bench.onCleanup('environment', () => env.stop(), 300_000);
  const kube = await KubeClient.create(kubeConfigFromString(await readFile(env.info.kubeconfig!, 'utf8')));
  bench.onCleanup('kube client', () => kube.close());
  const redis = createRedis({ target: env.info.redis!.url, name: 'bench' });
  bench.onCleanup('redis', async () => redis.disconnect());
  const publishClient = createRegistryClient({ requestsPerSecondPerHost: Infinity, maxConcurrentPerHost: 64 });
  bench.onCleanup('publish client', () => publishClient.close());
  const watch = new SourceWatch(kube, `${RUN_LABEL}=${run}`);
  await watch.start();
  bench.onCleanup('source watch', () => watch.stop());
  const registryHost = env.info.registry!.host;
  return {
    bench,
    run,
    env,
    kube,
    redis,
    publishClient,
    watch,
    registryHost,
    settingsOf: (path) => parseRegistrySettings({ repo: `${registryHost}/${path}`, scheme: 'HTTP' }),
    moduleSource: (name, group, repo) => ({
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name, labels: { [GROUP_LABEL]: group, [RUN_LABEL]: run } },
      spec: { registry: { repo, scheme: 'HTTP' } },
    }),
    syncerGroup: async (name) => {
      const group = {
        group: `${name}-${run}`,
        prefix: `bench-${run}-${name}`,
        namespace: `bench-${run}-${name}`,
        token: `bench-token-${run}-${name}-0123456789`,
      };
      await kube.apply(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: group.namespace } });
      return group;
    },
    startReplica: async (group, instance, extraEnv = {}) => {
      const replica = await SyncerProcess.start(env.info, group, `${instance}-${run}`, extraEnv);
      bench.onCleanup(`syncer ${instance}`, () => replica.stop());
      return replica;
    },
    startApplier: async (group, instance, extraEnv = {}) => {
      const store = await mkdtemp(join(tmpdir(), 'modsync-bench-store-'));
      bench.onCleanup(`module store of applier ${instance}`, () => rm(store, { recursive: true, force: true }));
      const service = await startService('applier', {
        logDir: env.info.logDir,
        instance: `${instance}-${run}`,
        built: true,
        env: {
          MODSYNC_REDIS_URL: env.info.redis!.url,
          KUBECONFIG: env.info.kubeconfig!,
          MODSYNC_REDIS_PREFIX: group.prefix,
          MODSYNC_SOURCE_SELECTOR: `${GROUP_LABEL}=${group.group}`,
          MODSYNC_INSTALLER: 'none',
          MODSYNC_MODULE_STORE: store,
          MODSYNC_LOG_LEVEL: 'info',
          ...extraEnv,
        },
      });
      bench.onCleanup(`applier ${instance}`, () => service.stop());
      return {
        pid: service.process.child.pid!,
        memory: () => residentMemory(service.process.child.pid!),
        metrics: async () => (await fetch(`${service.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text(),
        stop: () => service.stop(),
      };
    },
  };
}

/** `mod-0000` … in byte order, as many as asked. */
export function moduleNames(count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `mod-${String(i).padStart(width, '0')}`);
}

/** What a replica says about its memory: RSS and peak from /proc, V8 heap and external memory from its /metrics. */
export async function memoryOf(replica: MeasuredProcess) {
  const [{ rss, peak, anon, file }, metrics] = await Promise.all([replica.memory(), replica.metrics()]);
  return {
    rss,
    peak,
    anon,
    file,
    heapUsed: counterSum(metrics, 'modsync_nodejs_heap_size_used_bytes'),
    heapTotal: counterSum(metrics, 'modsync_nodejs_heap_size_total_bytes'),
    external: counterSum(metrics, 'modsync_nodejs_external_memory_bytes'),
  };
}

/** A memory figure's value (MB), how it is shown and its note: the split of RSS, then `extra` when given. */
export function memoryFigure(
  m: Awaited<ReturnType<typeof memoryOf>>,
  extra?: string,
): { value: number; shown: string; note: string } {
  const split = `peak ${fmt.mb(m.peak)}; anonymous ${fmt.mb(m.anon)} + file-backed ${fmt.mb(m.file)} (the node binary, shared); V8 heap ${fmt.mb(m.heapUsed)} used of ${fmt.mb(m.heapTotal)}, external ${fmt.mb(m.external)}`;
  return { value: m.rss / 2 ** 20, shown: fmt.mb(m.rss), note: extra === undefined ? split : `${split}; ${extra}` };
}

/** The replica's sync count and total sync seconds (modsync_sync_duration_seconds), to tell a sync's own duration. */
export async function syncClock(replica: SyncerProcess): Promise<{ count: number; sum: number }> {
  const metrics = await replica.metrics();
  return {
    count: counterSum(metrics, 'modsync_sync_duration_seconds_count'),
    sum: counterSum(metrics, 'modsync_sync_duration_seconds_sum'),
  };
}

/** Seconds the replica spent in the one sync it ran since `before` (the worker observes it just after the status write). */
export async function lastSyncSeconds(replica: SyncerProcess, before: { count: number; sum: number }): Promise<number> {
  let now = before;
  await waitFor(
    'the sync in the replica metrics',
    async () => {
      now = await syncClock(replica);
      return now.count > before.count;
    },
    5_000,
    10,
  );
  if (now.count !== before.count + 1) throw new Error(`expected one sync, the replica ran ${now.count - before.count}`);
  return now.sum - before.sum;
}
