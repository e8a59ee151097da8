#!/usr/bin/env node
// P2, one syncer against a raw HEAD loop: in this process, syncSource on an unchanged 100-module source against the
// raw HEAD loop of the same `release:stable` refs on the same registry client and concurrency (8), in interleaved
// pairs (so the machine's drifting load falls on both); the client's request budget is off for both.
// Run alone: `node bench/p2-throughput.ts`; `npm run bench` runs it with the others.
import { ModuleSources } from '@modsync/k8s';
import { createRegistryClient } from '@modsync/registry';
import { publishModules } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { runInProcess } from './inprocess.ts';
import { median } from './util.ts';
import { moduleNames, startWorld } from './world.ts';

const MODULES = 100;

await runBench(
  {
    id: 'p2',
    title: 'P2 throughput: one syncer vs a raw HEAD loop',
    hardLimitMs: 10 * 60_000,
    parameters: { modules: MODULES },
  },
  async (bench) => {
    const ratio = bench.figure('P2', `syncSource vs raw HEAD loop (${MODULES} modules, unchanged)`, {
      target: { op: '>=', value: 0.8 },
      targetShown: '≥ 0.80×',
    });
    const world = await startWorld(bench);
    const modules = moduleNames(MODULES);
    const path = `bench-${world.run}/p2`;
    const settings = world.settingsOf(path);
    await bench.phase('publishing', [ratio], () =>
      publishModules({ client: world.publishClient, settings, modules }).then(() => undefined),
    );
    await bench.phase('interleaved pairs', [ratio], async () => {
      const client = createRegistryClient({ requestsPerSecondPerHost: Infinity });
      bench.onCleanup('bench registry client', () => client.close());
      const source = await world.kube.apply(
        ModuleSources,
        world.moduleSource(`p2-${world.run}`, `p2-${world.run}`, `${world.registryHost}/${path}`),
      );
      const r = await runInProcess({
        kube: world.kube,
        redis: world.redis,
        registry: client,
        settings,
        source,
        modules,
        prefix: `bench-${world.run}-p2`,
      });
      Object.assign(ratio, {
        value: r.ratio,
        shown: fmt.ratio(r.ratio),
        note: `${Math.round(r.syncModulesPerSecond)} vs ${Math.round(r.rawModulesPerSecond)} modules/s (median cycle ${median(r.syncCycles).toFixed(0)} vs ${median(r.rawCycles).toFixed(0)} ms, ${r.syncCycles.length} pairs)`,
        data: { rawCycles: r.rawCycles, syncCycles: r.syncCycles },
      });
    });
  },
);
