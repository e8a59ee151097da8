// A large source: its catalog published (the first DKP-cap modules get a release image), then a fresh replica syncs
// it; the replica's memory is read once the watch shows the source synced.
import { MODULE_NAMES_CAP } from '@modsync/dkp';
import { ModuleSources } from '@modsync/k8s';
import { publishModules } from './bulk-publisher.ts';
import { isSynced } from './source-watch.ts';
import { sleep } from './util.ts';
import { memoryOf, moduleNames, type World } from './world.ts';

export interface LargeSourceResult {
  modules: number;
  /** Modules the syncer reads (DKP's cap). */
  expected: number;
  publishSeconds: number;
  publishRequests: number;
  /** New ModuleSource → synced status. */
  syncSeconds: number;
  memory: Awaited<ReturnType<typeof memoryOf>>;
}

export async function measureLargeSource(world: World, count: number): Promise<LargeSourceResult> {
  const modules = moduleNames(count);
  const path = `bench-${world.run}/m${count}`;
  const expected = Math.min(count, MODULE_NAMES_CAP);
  const publishStarted = performance.now();
  const { requests } = await publishModules({ client: world.publishClient, settings: world.settingsOf(path), modules, releases: expected, concurrency: 64 });
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  const group = await world.syncerGroup('large');
  const large = await world.startReplica(group, 'large');
  await large.leading(world.kube, group.namespace);
  const name = `large-${world.run}`;
  const started = performance.now();
  const synced = world.watch.waitFor(name, isSynced(expected), 300_000);
  await world.kube.apply(ModuleSources, world.moduleSource(name, group.group, `${world.registryHost}/${path}`));
  const { atMs } = await synced;
  const syncSeconds = (atMs - started) / 1000;
  // Let the sync's garbage settle before reading RSS.
  await sleep(1_000);
  const memory = await memoryOf(large);
  await large.stop();
  return { modules: count, expected, publishSeconds, publishRequests: requests, syncSeconds, memory };
}
