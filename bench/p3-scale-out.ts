#!/usr/bin/env node
// P3, two replicas against one with 20 ms injected latency: real replicas (the bundle, as the image runs it) behind a
// TCP proxy adding 20 ms per chunk each way; every source resynced at once, done when BullMQ reports every job
// completed; medians of one replica, then of two, in the same run.
// Run alone: `node bench/p3-scale-out.ts`; `npm run bench` runs it with the others.
import { buildAll } from '../scripts/build.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { measureScaleOut, scaleOutFigure } from './scale-out.ts';
import { startWorld } from './world.ts';

const SCALE = { sources: 40, modules: 10, delayMs: 20, warmups: 1, runs: 3 };

await runBench(
  {
    id: 'p3',
    title: 'P3 scale-out: two replicas vs one, +20 ms latency',
    hardLimitMs: 12 * 60_000,
    parameters: { scale: SCALE },
  },
  async (bench) => {
    const ratio = bench.figure(
      'P3',
      `2 replicas vs 1 (${SCALE.sources} sources × ${SCALE.modules} modules, +${SCALE.delayMs} ms/chunk)`,
      { target: { op: '>=', value: 1.8 }, targetShown: '≥ 1.80×' },
    );
    const requests = bench.figure('P3b', 'registry requests per module-channel, tag lists apart (replicas’ /metrics)', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    bench.context.bundleBytes = await buildAll({ quiet: true });
    const world = await startWorld(bench);
    await bench.phase('scale-out', [ratio, requests], async () => {
      const r = await measureScaleOut(world, SCALE);
      Object.assign(ratio, { ...scaleOutFigure(r, SCALE), data: r });
      const moduleChannels = SCALE.runs * 2 * r.names.length * SCALE.modules;
      const tagLists = r.one.tagLists + r.two.tagLists;
      const perModule = (r.one.all + r.two.all - tagLists) / moduleChannels;
      Object.assign(requests, {
        value: perModule,
        shown: fmt.num(perModule, 3),
        note: `${r.one.all + r.two.all - tagLists} requests over ${moduleChannels} module-channels, + ${tagLists} tag lists (${fmt.num(tagLists / (SCALE.runs * 2 * r.names.length))} per source)`,
      });
    });
  },
);
