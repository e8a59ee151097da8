#!/usr/bin/env node
// P6, resident memory at 10,000 modules: a source listing 10,000 modules (the syncer reads the first 1,500, DKP's cap),
// synced by a fresh syncer replica running the bundle as the image does; RSS from /proc once the watch shows it synced.
// Run alone: `node bench/p6-memory.ts`; `npm run bench` runs it with the others.
import { buildAll } from '../scripts/build.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { measureLargeSource } from './large-source.ts';
import { describeMemory, startWorld } from './world.ts';

const MODULES = 10_000;

await runBench(
  { id: 'p6', title: 'P6 memory at 10,000 modules', hardLimitMs: 12 * 60_000, parameters: { modules: MODULES } },
  async (bench) => {
    const syncer = bench.figure('P6a', `syncer RSS after syncing a source of ${MODULES.toLocaleString('en')} modules`, { target: { op: '<=', value: 200 }, targetShown: '≤ 200 MB' });
    bench.context.bundleBytes = await buildAll({ quiet: true });
    const world = await startWorld(bench);
    await bench.phase('syncer', [syncer], async () => {
      const r = await measureLargeSource(world, MODULES);
      Object.assign(syncer, {
        value: r.memory.rss / 2 ** 20,
        shown: fmt.mb(r.memory.rss),
        note: `${describeMemory(r.memory)}; ${r.modules} tags listed, ${r.expected} modules synced in ${fmt.seconds(r.syncSeconds)} (published in ${fmt.seconds(r.publishSeconds)})`,
        data: r,
      });
    });
  },
);
