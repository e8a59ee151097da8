#!/usr/bin/env node
// The syncer benchmark (issue 6): starts its own environment (kube-apiserver, Redis, registry on loopback), publishes
// module sources, measures the figures, prints them with their targets and keeps them in bench/results/syncer-<date>.json.
// Speed figures are ratios against a baseline measured in the same run. Run: `npm run bench` (after scripts/setup.sh).
//
// How each figure is taken:
// 1, 3a-c  In this process: syncSource on a 100-module source, unchanged, against the raw HEAD loop of the same 100
//          `release:stable` refs on the same registry client and concurrency (8), in interleaved pairs. The client's
//          per-host request budget is off for both (at the default 100 req/s both loops would just measure the budget).
//          Requests are counted on the registry diagnostics channel, writes as status patches, Events and resourceVersion.
// 2, 3d    Real replicas behind a TCP proxy adding 20 ms per chunk each way; all sources resynced over HTTP at once, done
//          when BullMQ reports every resync job completed; one replica, then two; requests from the replicas' /metrics.
// 4        POST /sources/<name>/resync → the new version seen by a watch; one module's channel moved before each sample,
//          samples spaced so the replica's request budget is whole; the sync's own time from its /metrics.
// 5, 6     A fresh replica: a new ModuleSource until the watch shows it synced; RSS and peak from /proc. The large source
//          lists 10,000 modules; the syncer takes the first 1,500 (DKP's cap), so only those get a release image.
// Replicas run what the image runs: the bundle services/syncer/dist/main.js, built at the start of the run
// (scripts/build.ts), with the image's NODE_OPTIONS and MALLOC_ARENA_MAX (read from infra/image/Dockerfile).
import { waitFor } from '../test/env/net.ts';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULE_NAMES_CAP } from '@modsync/dkp';
import { KubeClient, kubeConfigFromString, ModuleSources, type ModuleSource, type ResourceType } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings, type RegistryClient, type RegistrySettings } from '@modsync/registry';
import { createRedis, mapLimit, type RedisClient } from '@modsync/runtime';
import { QueueEvents } from 'bullmq';
import { startEnvironment, type Environment } from '../test/env/environment.ts';
import { publishModules, pushRelease, releaseImage } from './bulk-publisher.ts';
import { fmt, formatTable, verdict, type Figure } from './figures.ts';
import { importCost, type ImportStep } from './import-cost.ts';
import { buildAll } from '../scripts/build.ts';
import { imageRuntimeEnv } from '../test/env/services.ts';
import { runInProcess } from './inprocess.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { resyncAll } from './resync-all.ts';
import { isSynced, SourceWatch } from './source-watch.ts';
import { GROUP_LABEL, SyncerProcess, type SyncerGroup } from './syncer-process.ts';
import { counterSum, median, quantile, sleep } from './util.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RUN = Date.now().toString(36);
const RUN_LABEL = 'modsync.bench/run';
/** The whole run stops (and cleans up) after this long, whatever it is doing. */
const HARD_LIMIT_MS = 15 * 60_000;
const SCALE = { sources: 40, modules: 10, delayMs: 20, warmups: 1, runs: 3 };
const LATENCY = { samples: 20, spacingMs: 1_100 };
const LARGE_SOURCE_MODULES = 10_000;
/** The registry client allows 16 requests per host at once; the syncer's default module concurrency is 8. */
const VARIANT_MODULE_CONCURRENCY = 16;
/**
 * What the syncer's sources load, step by step: its packages, Node's TypeScript stripping (its first .ts file), modsync's
 * own code. A breakdown by library; the image runs the bundle instead (no type stripping, one module).
 */
const SYNCER_IMPORTS: ImportStep[] = [
  ...['zod', 'pino', 'prom-client', 'undici', 'tar', 'ioredis', 'bullmq', 'fastify', '@bull-board/api', '@bull-board/fastify'].map((p) => ({ label: p, specifier: p })),
  { label: 'type stripping', specifier: new URL('./figures.ts', import.meta.url).href },
  ...['@modsync/dkp', '@modsync/registry', '@modsync/k8s', '@modsync/events', '@modsync/runtime', '@modsync/syncer'].map((p) => ({ label: 'modsync code', specifier: p })),
  { label: 'modsync code', specifier: new URL('../services/syncer/src/syncer.ts', import.meta.url).href },
];

const Namespaces: ResourceType<{ apiVersion: 'v1'; kind: 'Namespace'; metadata: { name: string } }> = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };

const say = (line: string) => process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
const startedAt = performance.now();

// ---- cleanup: everything started is stopped, in reverse order, on success, failure, signal or the hard limit ----
const cleanups: { what: string; fn: () => Promise<unknown>; timeoutMs: number }[] = [];
let cleaning: Promise<void> | undefined;
function onCleanup(what: string, fn: () => Promise<unknown>, timeoutMs = 40_000): void {
  cleanups.push({ what, fn, timeoutMs });
}
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { what, fn, timeoutMs } of cleanups.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)))]);
      } catch (err) {
        say(`cleanup of ${what} failed: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
const hardLimit = setTimeout(() => {
  say(`over the ${HARD_LIMIT_MS / 60_000} min limit: stopping`);
  void cleanup().finally(() => process.exit(2));
}, HARD_LIMIT_MS);
hardLimit.unref();

// ---- helpers ----
const figures: Figure[] = [];
const context: Record<string, unknown> = {};

async function phase(name: string, ids: Figure[], fn: () => Promise<void>): Promise<void> {
  say(`${name}…`);
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    const message = (err as Error).message;
    say(`${name} failed: ${(err as Error).stack ?? message}`);
    for (const figure of ids) if (figure.value === undefined) figure.error ??= message;
  }
  say(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function figure(id: string, name: string, partial: Partial<Figure> = {}): Figure {
  const f: Figure = { id, name, value: undefined, shown: '', ...partial };
  figures.push(f);
  return f;
}

function moduleNames(count: number): string[] {
  const width = String(count - 1).length;
  return Array.from({ length: count }, (_, i) => `mod-${String(i).padStart(width, '0')}`);
}

function moduleSource(name: string, group: string, repo: string): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { [GROUP_LABEL]: group, [RUN_LABEL]: RUN } },
    spec: { registry: { repo, scheme: 'HTTP' } },
  };
}

function syncerGroup(name: string): SyncerGroup {
  return { group: `${name}-${RUN}`, prefix: `bench-${RUN}-${name}`, namespace: `bench-${RUN}-${name}`, token: `bench-token-${RUN}-${name}-0123456789` };
}

async function startReplica(env: Environment, group: SyncerGroup, instance: string, extraEnv: Record<string, string> = {}): Promise<SyncerProcess> {
  const replica = await SyncerProcess.start(env.info, group, `${instance}-${RUN}`, extraEnv);
  onCleanup(`syncer ${instance}`, () => replica.stop());
  return replica;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** What a replica says about its memory: RSS and peak from /proc, V8 heap and external memory from its /metrics. */
async function memoryOf(replica: SyncerProcess) {
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

function describeMemory(m: Awaited<ReturnType<typeof memoryOf>>): string {
  return `peak ${fmt.mb(m.peak)}; anonymous ${fmt.mb(m.anon)} + file-backed ${fmt.mb(m.file)} (the node binary, shared); V8 heap ${fmt.mb(m.heapUsed)} used of ${fmt.mb(m.heapTotal)}, external ${fmt.mb(m.external)}`;
}

/** The replica's sync count and total sync seconds (modsync_sync_duration_seconds), to tell a sync's own duration. */
async function syncClock(replica: SyncerProcess): Promise<{ count: number; sum: number }> {
  const metrics = await replica.metrics();
  return { count: counterSum(metrics, 'modsync_sync_duration_seconds_count'), sum: counterSum(metrics, 'modsync_sync_duration_seconds_sum') };
}

/** Seconds the replica spent in the one sync it ran since `before` (the worker observes it just after the status write). */
async function lastSyncSeconds(replica: SyncerProcess, before: { count: number; sum: number }): Promise<number> {
  let now = before;
  await waitFor('the sync in the replica metrics', async () => (now = await syncClock(replica)).count > before.count, 5_000, 10);
  if (now.count !== before.count + 1) throw new Error(`expected one sync, the replica ran ${now.count - before.count}`);
  return now.sum - before.sum;
}

// ---- the figures ----
const f1 = figure('1', 'throughput: syncSource vs raw HEAD loop (100 modules, unchanged)', { target: { op: '>=', value: 0.8 }, targetShown: '≥ 0.80×' });
const f2 = figure('2', `scale-out: 2 replicas vs 1 (${SCALE.sources} sources × ${SCALE.modules} modules, +${SCALE.delayMs} ms/chunk)`, { target: { op: '>=', value: 1.8 }, targetShown: '≥ 1.80×' });
const f3a = figure('3a', 'unchanged cycle: registry requests per module-channel', { target: { op: '<=', value: 1 }, targetShown: '≤ 1' });
const f3b = figure('3b', 'unchanged cycle: tag-list requests per source', { targetShown: '(reported)' });
const f3c = figure('3c', 'unchanged cycle: Kubernetes writes per source', { target: { op: '<=', value: 1 }, targetShown: '≤ 1' });
const f3d = figure('3d', 'unchanged cycle, service (/metrics): requests per module-channel', { target: { op: '<=', value: 1 }, targetShown: '≤ 1' });
const f4 = figure('4', `resync latency, 100-module source: POST → watch sees status, p95`, { target: { op: '<=', value: 0.3 }, targetShown: '≤ 300 ms' });
const f4b = figure('4b', `resync latency, 10-module source: POST → watch sees status, p95`, { target: { op: '<=', value: 0.3 }, targetShown: '≤ 300 ms' });
const f4c = figure('4c', `resync latency, 100-module source, MODSYNC_MODULE_CONCURRENCY=${VARIANT_MODULE_CONCURRENCY}, p95`, { targetShown: '(variant)' });
const f5 = figure('5', 'cold sync: 100 modules, new ModuleSource → synced status', { targetShown: '(reported)' });
const f6a = figure('6a', 'memory: syncer RSS after syncing 100 modules', { target: { op: '<=', value: 80 }, targetShown: '≤ 80 MB' });
const f6b = figure('6b', `memory: syncer RSS after syncing a source of ${LARGE_SOURCE_MODULES.toLocaleString('en')} modules`, { target: { op: '<=', value: 200 }, targetShown: '≤ 200 MB' });
const fIdle = figure('-', 'memory: syncer RSS idle (started, no source yet)', { targetShown: '(reported)' });
const fColdInproc = figure('-', 'cold sync in-process: 100 modules, no request budget', { targetShown: '(reported)' });
const fImports = figure('-', 'memory: RSS added by importing the syncer’s .ts sources (fresh process)', { targetShown: '(reported)' });
const fPublish = figure('-', `publish the ${LARGE_SOURCE_MODULES.toLocaleString('en')}-module source`, { targetShown: '(minutes at most)' });

async function main(): Promise<number> {
  context.loadAvgStart = loadavg();
  // The replicas run the bundle: build it from the current sources.
  context.bundleBytes = await buildAll({ quiet: true });
  context.imageRuntimeEnv = imageRuntimeEnv();
  say(`built the bundles; replicas run with ${JSON.stringify(context.imageRuntimeEnv)}`);
  await phase('import cost', [fImports], async () => {
    const added = await importCost(SYNCER_IMPORTS);
    const total = Object.values(added).reduce((x, y) => x + y, 0);
    const top = Object.entries(added).sort((x, y) => y[1] - x[1]).slice(0, 5);
    Object.assign(fImports, { value: total / 2 ** 20, shown: fmt.mb(total), note: `largest: ${top.map(([label, bytes]) => `${label} ${fmt.mb(bytes)}`).join(', ')}`, data: added });
  });
  const env = await startEnvironment({ controlPlane: true, redis: { password: true }, registry: true, log: (line) => say(`env: ${line}`) });
  // Removing the registry container deletes every repository's files: allow for it.
  onCleanup('environment', () => env.stop(), 300_000);
  const kube = await KubeClient.create(kubeConfigFromString(await readFile(env.info.kubeconfig!, 'utf8')));
  onCleanup('kube client', () => kube.close());
  const redis: RedisClient = createRedis({ target: env.info.redis!.url, name: 'bench' });
  onCleanup('redis', async () => redis.disconnect());
  // The publisher is not measured: no request budget, many requests at once.
  const publishClient = createRegistryClient({ requestsPerSecondPerHost: Infinity, maxConcurrentPerHost: 64 });
  onCleanup('publish client', () => publishClient.close());
  const watch = new SourceWatch(kube, `${RUN_LABEL}=${RUN}`);
  await watch.start();
  onCleanup('source watch', () => watch.stop());

  const registryHost = env.info.registry!.host;
  const settingsOf = (path: string): RegistrySettings => parseRegistrySettings({ repo: `${registryHost}/${path}`, scheme: 'HTTP' });
  const m100 = moduleNames(100);
  const m100Path = `bench-${RUN}/m100`;
  const m10 = moduleNames(10);
  const m10Path = `bench-${RUN}/m10`;
  const scaleModules = moduleNames(SCALE.modules);
  const scalePaths = Array.from({ length: SCALE.sources }, (_, i) => `bench-${RUN}/scale-${String(i).padStart(2, '0')}`);

  await phase('publishing the small sources', [], async () => {
    await publishModules({ client: publishClient, settings: settingsOf(m100Path), modules: m100 });
    await publishModules({ client: publishClient, settings: settingsOf(m10Path), modules: m10 });
    await mapLimit(scalePaths, 8, (path) => publishModules({ client: publishClient, settings: settingsOf(path), modules: scaleModules, concurrency: 4 }));
  });

  // 1 and 3: in this process, the syncer's syncSource on one registry client shared with the raw loop.
  await phase('in-process: throughput and unchanged-cycle cost', [f1, f3a, f3b, f3c, fColdInproc], async () => {
    const client: RegistryClient = createRegistryClient({ requestsPerSecondPerHost: Infinity });
    onCleanup('bench registry client', () => client.close());
    const source = await kube.apply(ModuleSources, moduleSource(`inproc-${RUN}`, `inproc-${RUN}`, `${registryHost}/${m100Path}`));
    const result = await runInProcess({ kube, redis, registry: client, settings: settingsOf(m100Path), source, modules: m100, prefix: `bench-${RUN}-inproc` });
    Object.assign(fColdInproc, { value: result.coldSeconds, shown: fmt.seconds(result.coldSeconds), note: `${result.coldReport.fetched} release images read; compare 5 (the service, under its request budget)` });
    Object.assign(f1, {
      value: result.ratio,
      shown: fmt.ratio(result.ratio),
      note: `${Math.round(result.syncModulesPerSecond)} vs ${Math.round(result.rawModulesPerSecond)} modules/s (median cycle ${median(result.syncCycles).toFixed(0)} vs ${median(result.rawCycles).toFixed(0)} ms, ${result.syncCycles.length} interleaved pairs, budget off)`,
      data: result,
    });
    const u = result.unchanged;
    const others = Object.entries(u.otherRequests).map(([op, n]) => `${op} ${n}`).join(', ');
    Object.assign(f3a, { value: u.headsPerModuleChannel, shown: fmt.num(u.headsPerModuleChannel), note: `HEADs over ${u.cycles} cycles × ${u.moduleChannels / u.cycles} module-channels; other requests: ${others || 'none'}; Flux: 2 per object` });
    Object.assign(f3b, { value: u.tagListsPerSource, shown: fmt.num(u.tagListsPerSource), note: `so ${fmt.num(u.headsPerModuleChannel + u.tagListsPerSource / m100.length, 3)} requests per module-channel all told` });
    // One source: writes per cycle are writes per source. Each cycle writes syncTime, so SYNC stays meaningful.
    const writes = (u.statusWrites + u.kubernetesEvents) / u.cycles;
    Object.assign(f3c, { value: writes, shown: fmt.num(writes), note: `status patches ${u.statusWrites} over ${u.cycles} cycles (syncTime each), Events ${u.kubernetesEvents}; discovery events ${u.discoveryEvents}, release images read ${u.fetched}; Flux: 1 Event per object` });
  });

  // 5, 6a, 4: one syncer process, the 100- and 10-module sources.
  await phase('service: cold sync, memory (100), resync latency', [fIdle, f5, f6a, f4, f4b, f4c], async () => {
    const group = syncerGroup('solo');
    await kube.apply(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: group.namespace } });
    const solo = await startReplica(env, group, 'solo');
    await solo.leading(kube, group.namespace);
    await sleep(1_000);
    const idle = await memoryOf(solo);
    Object.assign(fIdle, { value: idle.rss / 2 ** 20, shown: fmt.mb(idle.rss), note: describeMemory(idle), data: idle });
    const name = `solo-m100-${RUN}`;
    const clock = await syncClock(solo);
    const started = performance.now();
    const synced = watch.waitFor(name, isSynced(m100.length), 60_000);
    await kube.apply(ModuleSources, moduleSource(name, group.group, `${registryHost}/${m100Path}`));
    const { atMs } = await synced;
    const cold = (atMs - started) / 1000;
    const coldSync = await lastSyncSeconds(solo, clock);
    Object.assign(f5, { value: cold, shown: fmt.seconds(cold), note: `of which the sync ${fmt.seconds(coldSync)}: 301 requests under the client's 100 req/s (burst 100) host budget` });
    await sleep(1_000);
    const after = await memoryOf(solo);
    Object.assign(f6a, { value: after.rss / 2 ** 20, shown: fmt.mb(after.rss), note: describeMemory(after), data: after });

    const m10Name = `solo-m10-${RUN}`;
    const m10Synced = watch.waitFor(m10Name, isSynced(m10.length), 60_000);
    await kube.apply(ModuleSources, moduleSource(m10Name, group.group, `${registryHost}/${m10Path}`));
    await m10Synced;

    // A new version on one module's channel, then a resync request: until the watch shows the new version.
    const latency = async (replica: SyncerProcess, source: string, path: string, modules: readonly string[], spacingMs: number, series: number) => {
      const images = await Promise.all(Array.from({ length: LATENCY.samples }, (_, i) => releaseImage(`v1.${series}.${i}`)));
      const samples: number[] = [];
      const syncs: number[] = [];
      for (let i = 0; i < LATENCY.samples; i++) {
        const module = modules[(i * 37) % modules.length]!;
        const version = `v1.${series}.${i}`;
        await pushRelease(publishClient, settingsOf(path), module, images[i]!);
        await sleep(spacingMs);
        const clockBefore = await syncClock(replica);
        const seen = watch.waitFor(source, (s) => s.status?.modules?.find((m) => m.name === module)?.version === version, 10_000);
        const t0 = performance.now();
        await replica.resync(source);
        samples.push(((await seen).atMs - t0) / 1000);
        syncs.push(await lastSyncSeconds(replica, clockBefore));
      }
      const overhead = samples.map((s, i) => s - syncs[i]!);
      const p95 = quantile(samples, 0.95);
      return {
        value: p95,
        shown: fmt.seconds(p95),
        note: `p50 ${fmt.seconds(quantile(samples, 0.5))}, max ${fmt.seconds(Math.max(...samples))}; the sync itself p50 ${fmt.seconds(quantile(syncs, 0.5))}, p95 ${fmt.seconds(quantile(syncs, 0.95))}; latency − sync time p50 ${Math.round(quantile(overhead, 0.5) * 1000)} ms`,
        data: { samples, syncs, overhead },
      };
    };
    // Spaced so the replica's registry budget (100 req/s, burst 100) is whole again: a sync of 100 modules is 103 requests.
    const rawLoop = f1.data ? ` vs the raw HEAD loop's ${median((f1.data as { rawCycles: number[] }).rawCycles).toFixed(0)} ms (1)` : '';
    const f4Result = await latency(solo, name, m100Path, m100, LATENCY.spacingMs, 1);
    Object.assign(f4, { ...f4Result, note: `${f4Result.note}${rawLoop}` });
    Object.assign(f4b, await latency(solo, m10Name, m10Path, m10, 200, 2));
    await solo.stop();
    // The same replica configuration but for the module concurrency (the group's state and schedules carry over).
    const wide = await startReplica(env, group, 'solo-wide', { MODSYNC_MODULE_CONCURRENCY: String(VARIANT_MODULE_CONCURRENCY) });
    Object.assign(f4c, await latency(wide, name, m100Path, m100, LATENCY.spacingMs, 3));
    await wide.stop();
  });

  // 2 and 3d: replicas behind the latency proxy.
  await phase('service: scale-out', [f2, f3d], async () => {
    const port = Number(registryHost.split(':')[1]);
    const proxy = await startLatencyProxy({ targetHost: '127.0.0.1', targetPort: port, delayMs: SCALE.delayMs, lifetimeMs: 10 * 60_000 });
    onCleanup('latency proxy', () => proxy.close());
    const group = syncerGroup('scale');
    await kube.apply(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: group.namespace } });
    const names = scalePaths.map((_, i) => `scale-${String(i).padStart(2, '0')}-${RUN}`);
    await Promise.all(names.map((name, i) => kube.apply(ModuleSources, moduleSource(name, group.group, `${proxy.host}/${scalePaths[i]}`))));
    const a = await startReplica(env, group, 'scale-a');
    await Promise.all(names.map((name) => watch.waitFor(name, isSynced(SCALE.modules), 120_000)));
    const connection = createRedis({ target: env.info.redis!.url, name: 'bench-queue-events', maxRetriesPerRequest: null });
    const events = new QueueEvents('resync', { connection, prefix: `${group.prefix}:bull` });
    onCleanup('queue events', async () => {
      await events.close();
      connection.disconnect();
    });
    await events.waitUntilReady();

    const measure = async (replicas: SyncerProcess[]) => {
      for (let i = 0; i < SCALE.warmups; i++) await resyncAll(a, names, events, 120_000);
      const before = await Promise.all(replicas.map((r) => r.metrics()));
      const seconds: number[] = [];
      for (let i = 0; i < SCALE.runs; i++) {
        const { reports, seconds: took } = await resyncAll(a, names, events, 120_000);
        seconds.push(took);
        const changed = reports.filter((r) => r.statusChanged || r.kubernetesWrites > 1 || r.fetched > 0 || r.events > 0);
        if (changed.length > 0) throw new Error(`an unchanged resync wrote more than syncTime, or fetched: ${JSON.stringify(changed[0])}`);
      }
      const after = await Promise.all(replicas.map((r) => r.metrics()));
      const delta = (metric: string, labels: Record<string, string> = {}) => replicas.map((_, i) => counterSum(after[i]!, metric, labels) - counterSum(before[i]!, metric, labels));
      const total = (values: number[]) => values.reduce((x, y) => x + y, 0);
      return {
        seconds,
        syncsPerReplica: delta('modsync_syncs_total'),
        statusWrites: total(delta('modsync_sync_writes_total')),
        heads: total(delta('modsync_registry_requests_total', { op: 'head_manifest' })),
        tagLists: total(delta('modsync_registry_requests_total', { op: 'list_tags' })),
        all: total(delta('modsync_registry_requests_total')),
      };
    };
    const one = await measure([a]);
    const b = await startReplica(env, group, 'scale-b');
    const two = await measure([a, b]);
    const ratio = median(one.seconds) / median(two.seconds);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join('/');
    Object.assign(f2, {
      value: ratio,
      shown: fmt.ratio(ratio),
      note: `all ${names.length} done in: 1 replica ${list(one.seconds)} s, 2 replicas ${list(two.seconds)} s (medians of ${SCALE.runs} after ${SCALE.warmups} warm-up); syncs per replica ${two.syncsPerReplica.join('+')}`,
      data: { one, two, proxy: proxy.stats() },
    });
    const runs = SCALE.runs * 2;
    const moduleChannels = runs * names.length * SCALE.modules;
    const requests = one.all + two.all;
    const tagLists = one.tagLists + two.tagLists;
    const perModule = (requests - tagLists) / moduleChannels;
    Object.assign(f3d, {
      value: perModule,
      shown: fmt.num(perModule),
      note: `${one.heads + two.heads} HEADs, ${requests - tagLists - one.heads - two.heads} other, + ${tagLists} tag lists (${fmt.num(tagLists / (runs * names.length))} per source); writes ${one.statusWrites + two.statusWrites}; ${runs} resyncs of ${names.length} sources`,
    });
    await b.stop();
    await a.stop();
    await proxy.close();
  });

  // 6b: the large source, published last (its files slow the registry down), and a fresh replica.
  await phase(`service: memory (${LARGE_SOURCE_MODULES} modules)`, [fPublish, f6b], async () => {
    const largeModules = moduleNames(LARGE_SOURCE_MODULES);
    const largePath = `bench-${RUN}/m10k`;
    const expected = Math.min(LARGE_SOURCE_MODULES, MODULE_NAMES_CAP);
    const publishStarted = performance.now();
    const { requests } = await publishModules({ client: publishClient, settings: settingsOf(largePath), modules: largeModules, releases: expected, concurrency: 64 });
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    Object.assign(fPublish, {
      value: publishSeconds,
      shown: fmt.seconds(publishSeconds),
      note: `${LARGE_SOURCE_MODULES} catalog tags, release:stable for the ${expected} the syncer reads (blobs mounted); ${requests} requests, ${Math.round(requests / publishSeconds)}/s`,
    });

    const group = syncerGroup('large');
    await kube.apply(Namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: group.namespace } });
    const large = await startReplica(env, group, 'large');
    await large.leading(kube, group.namespace);
    const name = `large-${RUN}`;
    const started = performance.now();
    const synced = watch.waitFor(name, isSynced(expected), 300_000);
    await kube.apply(ModuleSources, moduleSource(name, group.group, `${registryHost}/${largePath}`));
    const { atMs } = await synced;
    const seconds = (atMs - started) / 1000;
    await sleep(1_000);
    const after = await memoryOf(large);
    Object.assign(f6b, {
      value: after.rss / 2 ** 20,
      shown: fmt.mb(after.rss),
      note: `${describeMemory(after)}; ${LARGE_SOURCE_MODULES} tags listed, ${expected} modules synced (DKP's cap) in ${fmt.seconds(seconds)}`,
      data: { ...after, seconds, modulesInStatus: expected },
    });
    await large.stop();
  });
  context.loadAvgEnd = loadavg();
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  say(`failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await cleanup();
}

const results = {
  benchmark: 'syncer',
  at: new Date().toISOString(),
  commit: gitCommit(),
  node: process.version,
  cpus: availableParallelism(),
  durationSeconds: Math.round((performance.now() - startedAt) / 1000),
  parameters: { scale: SCALE, latency: LATENCY, largeSourceModules: LARGE_SOURCE_MODULES },
  context,
  figures: figures.map((f) => ({ ...f, result: verdict(f) })),
};
const file = join(BENCH_DIR, 'results', `syncer-${results.at.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);

process.stdout.write(`\nmodsync syncer benchmark (${results.node}, ${results.cpus} CPUs, ${results.durationSeconds} s, commit ${results.commit ?? '?'})\n\n`);
process.stdout.write(`${formatTable(figures)}\n\n`);
process.stdout.write(`Flux source-controller, per object and unchanged poll (from the brief): 2 registry requests, 1 Event write.\n`);
process.stdout.write(`results: ${file}\n`);
const failed = figures.some((f) => verdict(f) === 'error');
process.exit(code !== 0 || failed ? 1 : 0);
