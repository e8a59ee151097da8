#!/usr/bin/env node
// P1, the unchanged cycle at scale: 1,000 modules, each with a release image on 2 channels (stable, early-access).
// In this process, the syncer's syncSource on an unchanged source, first with every module on Stable (the embedded
// policy's default), then on EarlyAccess (the `deckhouse` ModuleConfig's releaseChannel): registry requests per
// module-channel (diagnostics channel) and Kubernetes writes per source (status patches and Events) over both.
// Run alone: `node bench/p1-unchanged.ts`; `npm run bench` runs it with the others.
import { ModuleConfigs, ModuleSources } from '@modsync/k8s';
import { createRegistryClient } from '@modsync/registry';
import { publishModules } from './bulk-publisher.ts';
import { fmt } from './figures.ts';
import { runBench } from './harness.ts';
import { type InProcessResult, runInProcess } from './inprocess.ts';
import { moduleNames, startWorld } from './world.ts';

const MODULES = 1_000;
const CHANNELS = [
  { channel: 'Stable', tag: 'stable' },
  { channel: 'EarlyAccess', tag: 'early-access' },
] as const;
/** Pairs (raw loop + sync cycle) per channel; cycles of 1,000 modules take about a second each. */
const PAIRS = 5;

await runBench(
  {
    id: 'p1',
    title: 'P1 unchanged cycle: 1,000 modules × 2 channels',
    hardLimitMs: 15 * 60_000,
    parameters: { modules: MODULES, channels: CHANNELS, pairs: PAIRS },
  },
  async (bench) => {
    const perChannel = bench.figure('P1a', 'registry requests per module-channel (all but the tag list)', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    const writes = bench.figure('P1b', 'Kubernetes writes per source per cycle (status patches + Events)', {
      target: { op: '<=', value: 1 },
      targetShown: '≤ 1',
    });
    const tagLists = bench.figure('P1c', 'tag-list requests per source per cycle', { targetShown: '(reported)' });
    const world = await startWorld(bench);
    const modules = moduleNames(MODULES);
    const path = `bench-${world.run}/p1`;
    const settings = world.settingsOf(path);
    await bench.phase('publishing', [perChannel, writes, tagLists], async () => {
      await publishModules({
        client: world.publishClient,
        settings,
        modules,
        channels: CHANNELS.map((c) => c.tag),
        concurrency: 64,
      });
    });
    await bench.phase('unchanged cycles on each channel', [perChannel, writes, tagLists], async () => {
      const client = createRegistryClient({ requestsPerSecondPerHost: Infinity });
      bench.onCleanup('bench registry client', () => client.close());
      const source = await world.kube.apply(
        ModuleSources,
        world.moduleSource(`p1-${world.run}`, `p1-${world.run}`, `${world.registryHost}/${path}`),
      );
      const results: InProcessResult[] = [];
      for (const { channel } of CHANNELS) {
        // The embedded policy's channel (dkp-contract.md §8): every module of the source follows it.
        await world.kube.apply(ModuleConfigs, {
          apiVersion: 'deckhouse.io/v1alpha1',
          kind: 'ModuleConfig',
          metadata: { name: 'deckhouse' },
          spec: { version: 1, settings: { releaseChannel: channel } },
        });
        results.push(
          await runInProcess({
            kube: world.kube,
            redis: world.redis,
            registry: client,
            settings,
            source,
            modules,
            prefix: `bench-${world.run}-p1`,
            pairs: PAIRS,
          }),
        );
      }
      const sum = (f: (u: InProcessResult['unchanged']) => number) => results.reduce((n, r) => n + f(r.unchanged), 0);
      const moduleChannels = sum((u) => u.moduleChannels);
      const cycles = sum((u) => u.cycles);
      const heads = sum((u) => u.headsPerModuleChannel * u.moduleChannels);
      const others = sum((u) => Object.values(u.otherRequests).reduce((a, b) => a + b, 0));
      const perModuleChannel = (heads + others) / moduleChannels;
      Object.assign(perChannel, {
        value: perModuleChannel,
        shown: fmt.num(perModuleChannel, 3),
        note: `${Math.round(heads)} HEADs + ${others} other over ${cycles} cycles × ${MODULES} module-channels (${CHANNELS.map((c) => c.channel).join(' then ')}); Flux: 2 per object`,
        data: results.map((r) => r.unchanged),
      });
      const lists = sum((u) => u.tagListsPerSource * u.cycles);
      Object.assign(tagLists, {
        value: lists / cycles,
        shown: fmt.num(lists / cycles),
        note: `so ${fmt.num((heads + others + lists) / moduleChannels, 4)} requests per module-channel all told`,
      });
      const perSource = (sum((u) => u.statusWrites) + sum((u) => u.kubernetesEvents)) / cycles;
      Object.assign(writes, {
        value: perSource,
        shown: fmt.num(perSource),
        note: `status patches ${sum((u) => u.statusWrites)} (syncTime each cycle), Events ${sum((u) => u.kubernetesEvents)}, discovery events ${sum((u) => u.discoveryEvents)}, release images read ${sum((u) => u.fetched)}`,
      });
    });
  },
);
