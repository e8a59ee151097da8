#!/usr/bin/env node
// The syncer benchmark (all the syncer figures in one run): starts its own environment (kube-apiserver, Redis, registry on loopback), publishes
// module sources, measures the figures, prints them with their targets and keeps them in bench/results/syncer-<date>.json.
// Speed figures are ratios against a baseline measured in the same run. Run: `npm run bench:syncer` (after
// scripts/setup.sh); `npm run bench` runs the P1–P6 suite (bench/README.md).
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
import { ModuleSources } from '@modsync/k8s';
import { createRegistryClient, type RegistryClient } from '@modsync/registry';
import { buildAll } from '../scripts/build.ts';
import { imageRuntimeEnv } from '../test/env/services.ts';
import { publishModules, pushRelease, releaseImage } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { importCost, type ImportStep } from './import-cost.ts';
import { runInProcess } from './inprocess.ts';
import { measureLargeSource } from './large-source.ts';
import { measureScaleOut, scaleOutFigure } from './scale-out.ts';
import { isSynced } from './source-watch.ts';
import type { SyncerProcess } from './syncer-process.ts';
import { sleep } from '@modsync/runtime/backoff';
import { median, quantile } from './util.ts';
import { lastSyncSeconds, memoryFigure, memoryOf, moduleNames, startWorld, syncClock } from './world.ts';

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
  ...[
    'zod',
    'pino',
    'prom-client',
    'undici',
    'tar',
    'ioredis',
    'bullmq',
    'fastify',
    '@bull-board/api',
    '@bull-board/fastify',
  ].map((p) => ({ label: p, specifier: p })),
  { label: 'type stripping', specifier: new URL('./figures.ts', import.meta.url).href },
  ...[
    '@modsync/dkp',
    '@modsync/registry',
    '@modsync/k8s',
    '@modsync/events',
    '@modsync/runtime',
    '@modsync/syncer',
  ].map((p) => ({ label: 'modsync code', specifier: p })),
  { label: 'modsync code', specifier: new URL('../services/syncer/src/syncer.ts', import.meta.url).href },
];

await runBench(
  {
    id: 'syncer',
    title: 'modsync syncer benchmark',
    hardLimitMs: 15 * 60_000,
    parameters: { scale: SCALE, latency: LATENCY, largeSourceModules: LARGE_SOURCE_MODULES },
    footer: [
      'Flux source-controller, per object and unchanged poll (from the brief): 2 registry requests, 1 Event write.',
    ],
  },
  async (bench) => {
    const { figure, phase, context } = bench;
    const f1 = figure('1', 'throughput: syncSource vs raw HEAD loop (100 modules, unchanged)', {
      target: { op: '>=', value: 0.8 },
      targetShown: '≥ 0.80×',
    });
    const f2 = figure(
      '2',
      `scale-out: 2 replicas vs 1 (${SCALE.sources} sources × ${SCALE.modules} modules, +${SCALE.delayMs} ms/chunk)`,
      { target: { op: '>=', value: 1.8 }, targetShown: '≥ 1.80×' },
    );
    const f3a = figure('3a', 'unchanged cycle: registry requests per module-channel', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    const f3b = figure('3b', 'unchanged cycle: tag-list requests per source', { targetShown: '(reported)' });
    const f3c = figure('3c', 'unchanged cycle: Kubernetes writes per source', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    const f3d = figure('3d', 'unchanged cycle, service (/metrics): requests per module-channel', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    const f4 = figure('4', `resync latency, 100-module source: POST → watch sees status, p95`, {
      target: { op: '<=', value: 0.3 },
      targetShown: '≤ 300 ms',
    });
    const f4b = figure('4b', `resync latency, 10-module source: POST → watch sees status, p95`, {
      target: { op: '<=', value: 0.3 },
      targetShown: '≤ 300 ms',
    });
    const f4c = figure(
      '4c',
      `resync latency, 100-module source, MODSYNC_MODULE_CONCURRENCY=${VARIANT_MODULE_CONCURRENCY}, p95`,
      { targetShown: '(variant)' },
    );
    const f5 = figure('5', 'cold sync: 100 modules, new ModuleSource → synced status', { targetShown: '(reported)' });
    const f6a = figure('6a', 'memory: syncer RSS after syncing 100 modules', {
      target: { op: '<=', value: 80 },
      targetShown: '≤ 80 MB',
    });
    const f6b = figure(
      '6b',
      `memory: syncer RSS after syncing a source of ${LARGE_SOURCE_MODULES.toLocaleString('en')} modules`,
      { target: { op: '<=', value: 200 }, targetShown: '≤ 200 MB' },
    );
    const fIdle = figure('-', 'memory: syncer RSS idle (started, no source yet)', { targetShown: '(reported)' });
    const fColdInproc = figure('-', 'cold sync in-process: 100 modules, no request budget', {
      targetShown: '(reported)',
    });
    const fImports = figure('-', 'memory: RSS added by importing the syncer’s .ts sources (fresh process)', {
      targetShown: '(reported)',
    });
    const fPublish = figure('-', `publish the ${LARGE_SOURCE_MODULES.toLocaleString('en')}-module source`, {
      targetShown: '(minutes at most)',
    });

    // The replicas run the bundle: build it from the current sources.
    context.bundleBytes = await buildAll({ quiet: true });
    context.imageRuntimeEnv = imageRuntimeEnv();
    bench.say(`built the bundles; replicas run with ${JSON.stringify(context.imageRuntimeEnv)}`);
    await phase('import cost', [fImports], async () => {
      const added = await importCost(SYNCER_IMPORTS);
      const total = Object.values(added).reduce((x, y) => x + y, 0);
      const top = Object.entries(added)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 5);
      Object.assign(fImports, {
        value: total / 2 ** 20,
        shown: fmt.mb(total),
        note: `largest: ${top.map(([label, bytes]) => `${label} ${fmt.mb(bytes)}`).join(', ')}`,
        data: added,
      });
    });
    const world = await startWorld(bench);
    const { kube, redis, publishClient, watch, registryHost, run, settingsOf } = world;
    const m100 = moduleNames(100);
    const m100Path = `bench-${run}/m100`;
    const m10 = moduleNames(10);
    const m10Path = `bench-${run}/m10`;

    await phase('publishing the small sources', [], async () => {
      await publishModules({ client: publishClient, settings: settingsOf(m100Path), modules: m100 });
      await publishModules({ client: publishClient, settings: settingsOf(m10Path), modules: m10 });
    });

    // 1 and 3: in this process, the syncer's syncSource on one registry client shared with the raw loop.
    await phase('in-process: throughput and unchanged-cycle cost', [f1, f3a, f3b, f3c, fColdInproc], async () => {
      const client: RegistryClient = createRegistryClient({ requestsPerSecondPerHost: Infinity });
      bench.onCleanup('bench registry client', () => client.close());
      const source = await kube.apply(
        ModuleSources,
        world.moduleSource(`inproc-${run}`, `inproc-${run}`, `${registryHost}/${m100Path}`),
      );
      const result = await runInProcess({
        kube,
        redis,
        registry: client,
        settings: settingsOf(m100Path),
        source,
        modules: m100,
        prefix: `bench-${run}-inproc`,
      });
      Object.assign(fColdInproc, {
        value: result.coldSeconds,
        shown: fmt.seconds(result.coldSeconds),
        note: `${result.coldReport.fetched} release images read; compare 5 (the service, under its request budget)`,
      });
      Object.assign(f1, {
        value: result.ratio,
        shown: fmt.ratio(result.ratio),
        note: `${Math.round(result.syncModulesPerSecond)} vs ${Math.round(result.rawModulesPerSecond)} modules/s (median cycle ${median(result.syncCycles).toFixed(0)} vs ${median(result.rawCycles).toFixed(0)} ms, ${result.syncCycles.length} interleaved pairs, budget off)`,
        data: result,
      });
      const u = result.unchanged;
      const others = Object.entries(u.otherRequests)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      Object.assign(f3a, {
        value: u.headsPerModuleChannel,
        shown: fmt.num(u.headsPerModuleChannel),
        note: `HEADs over ${u.cycles} cycles × ${u.moduleChannels / u.cycles} module-channels; other requests: ${others || 'none'}; Flux: 2 per object`,
      });
      Object.assign(f3b, {
        value: u.tagListsPerSource,
        shown: fmt.num(u.tagListsPerSource),
        note: `so ${fmt.num(u.headsPerModuleChannel + u.tagListsPerSource / m100.length, 3)} requests per module-channel all told`,
      });
      // One source: writes per cycle are writes per source. Each cycle writes syncTime, so SYNC stays meaningful.
      const writes = (u.statusWrites + u.kubernetesEvents) / u.cycles;
      Object.assign(f3c, {
        value: writes,
        shown: fmt.num(writes),
        note: `status patches ${u.statusWrites} over ${u.cycles} cycles (syncTime each), Events ${u.kubernetesEvents}; discovery events ${u.discoveryEvents}, release images read ${u.fetched}; Flux: 1 Event per object`,
      });
    });

    // 5, 6a, 4: one syncer process, the 100- and 10-module sources.
    await phase('service: cold sync, memory (100), resync latency', [fIdle, f5, f6a, f4, f4b, f4c], async () => {
      const group = await world.syncerGroup('solo');
      const solo = await world.startReplica(group, 'solo');
      await solo.leading(kube, group.namespace);
      await sleep(1_000);
      const idle = await memoryOf(solo);
      Object.assign(fIdle, { ...memoryFigure(idle), data: idle });
      const name = `solo-m100-${run}`;
      const clock = await syncClock(solo);
      const started = performance.now();
      const synced = watch.waitFor(name, isSynced(m100.length), 60_000);
      await kube.apply(ModuleSources, world.moduleSource(name, group.group, `${registryHost}/${m100Path}`));
      const { atMs } = await synced;
      const cold = (atMs - started) / 1000;
      const coldSync = await lastSyncSeconds(solo, clock);
      Object.assign(f5, {
        value: cold,
        shown: fmt.seconds(cold),
        note: `of which the sync ${fmt.seconds(coldSync)}: 301 requests under the client's 100 req/s (burst 100) host budget`,
      });
      await sleep(1_000);
      const after = await memoryOf(solo);
      Object.assign(f6a, { ...memoryFigure(after), data: after });

      const m10Name = `solo-m10-${run}`;
      const m10Synced = watch.waitFor(m10Name, isSynced(m10.length), 60_000);
      await kube.apply(ModuleSources, world.moduleSource(m10Name, group.group, `${registryHost}/${m10Path}`));
      await m10Synced;

      // A new version on one module's channel, then a resync request: until the watch shows the new version.
      const latency = async (
        replica: SyncerProcess,
        source: string,
        path: string,
        modules: readonly string[],
        spacingMs: number,
        series: number,
      ) => {
        const images = await Promise.all(
          Array.from({ length: LATENCY.samples }, (_, i) => releaseImage(`v1.${series}.${i}`)),
        );
        const samples: number[] = [];
        const syncs: number[] = [];
        for (let i = 0; i < LATENCY.samples; i++) {
          const module = modules[(i * 37) % modules.length]!;
          const version = `v1.${series}.${i}`;
          await pushRelease(publishClient, settingsOf(path), module, images[i]!);
          await sleep(spacingMs);
          const clockBefore = await syncClock(replica);
          const seen = watch.waitFor(
            source,
            (s) => s.status?.modules?.find((m) => m.name === module)?.version === version,
            10_000,
          );
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
      const rawLoop = f1.data
        ? ` vs the raw HEAD loop's ${median((f1.data as { rawCycles: number[] }).rawCycles).toFixed(0)} ms (1)`
        : '';
      const f4Result = await latency(solo, name, m100Path, m100, LATENCY.spacingMs, 1);
      Object.assign(f4, { ...f4Result, note: `${f4Result.note}${rawLoop}` });
      Object.assign(f4b, await latency(solo, m10Name, m10Path, m10, 200, 2));
      await solo.stop();
      // The same replica configuration but for the module concurrency (the group's state and schedules carry over).
      const wide = await world.startReplica(group, 'solo-wide', {
        MODSYNC_MODULE_CONCURRENCY: String(VARIANT_MODULE_CONCURRENCY),
      });
      Object.assign(f4c, await latency(wide, name, m100Path, m100, LATENCY.spacingMs, 3));
      await wide.stop();
    });

    // 2 and 3d: replicas behind the latency proxy.
    await phase('service: scale-out', [f2, f3d], async () => {
      const r = await measureScaleOut(world, SCALE);
      Object.assign(f2, { ...scaleOutFigure(r, SCALE), data: { one: r.one, two: r.two, proxy: r.proxy } });
      const runs = SCALE.runs * 2;
      const moduleChannels = runs * r.names.length * SCALE.modules;
      const requests = r.one.all + r.two.all;
      const tagLists = r.one.tagLists + r.two.tagLists;
      const perModule = (requests - tagLists) / moduleChannels;
      Object.assign(f3d, {
        value: perModule,
        shown: fmt.num(perModule),
        note: `${r.one.heads + r.two.heads} HEADs, ${requests - tagLists - r.one.heads - r.two.heads} other, + ${tagLists} tag lists (${fmt.num(tagLists / (runs * r.names.length))} per source); writes ${r.one.statusWrites + r.two.statusWrites}; ${runs} resyncs of ${r.names.length} sources`,
      });
    });

    // 6b: the large source, published last (its files slow the registry down), and a fresh replica.
    await phase(`service: memory (${LARGE_SOURCE_MODULES} modules)`, [fPublish, f6b], async () => {
      const r = await measureLargeSource(world, LARGE_SOURCE_MODULES);
      Object.assign(fPublish, {
        value: r.publishSeconds,
        shown: fmt.seconds(r.publishSeconds),
        note: `${r.modules} catalog tags, release:stable for the ${r.expected} the syncer reads (blobs mounted); ${r.publishRequests} requests, ${Math.round(r.publishRequests / r.publishSeconds)}/s`,
      });
      Object.assign(f6b, {
        ...memoryFigure(
          r.memory,
          `${r.modules} tags listed, ${r.expected} modules synced (DKP's cap) in ${fmt.seconds(r.syncSeconds)}`,
        ),
        data: { ...r.memory, seconds: r.syncSeconds, modulesInStatus: r.expected },
      });
    });
  },
);
