#!/usr/bin/env node
// P6, resident memory at 10,000 modules: a source listing 10,000 modules (the syncer reads the first 1,500, DKP's cap),
// synced by a fresh syncer replica and followed by a fresh applier (deciding releases only: no module is enabled, so it
// writes a Module per offered module), both running the bundles as the image does. RSS from /proc: the syncer's once
// the watch shows the source synced, the applier's once every synced module has its Module.
// Run alone: `node bench/p6-memory.ts`; `npm run bench` runs it with the others.
import { buildAll } from '../scripts/build.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { measureLargeSource } from './large-source.ts';
import { memoryFigure, startWorld } from './world.ts';

const MODULES = 10_000;

await runBench(
  { id: 'p6', title: 'P6 memory at 10,000 modules', hardLimitMs: 12 * 60_000, parameters: { modules: MODULES } },
  async (bench) => {
    const syncer = bench.figure('P6a', `syncer RSS after syncing a source of ${MODULES.toLocaleString('en')} modules`, {
      target: { op: '<=', value: 200 },
      targetShown: '≤ 200 MB',
    });
    const applier = bench.figure('P6b', `applier RSS after writing the Modules of that source`, {
      target: { op: '<=', value: 200 },
      targetShown: '≤ 200 MB',
    });
    bench.context.bundleBytes = await buildAll({ quiet: true });
    const world = await startWorld(bench);
    await bench.phase('syncer and applier', [syncer, applier], async () => {
      const r = await measureLargeSource(world, MODULES, { applier: true });
      const synced = `${r.modules} tags listed, ${r.expected} modules synced in ${fmt.seconds(r.syncSeconds)} (published in ${fmt.seconds(r.publishSeconds)})`;
      Object.assign(syncer, { ...memoryFigure(r.memory, synced), data: r });
      const a = r.applier!;
      Object.assign(
        applier,
        memoryFigure(
          a.memory,
          `${r.expected} Modules written ${fmt.seconds(a.modulesSeconds)} after the source was created`,
        ),
      );
    });
  },
);
