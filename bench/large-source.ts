// A large source: its catalog published (the first DKP-cap modules get a release image), then a fresh replica syncs
// it; the replica's memory is read once the watch shows the source synced.
import { MODULE_NAMES_CAP } from '@modsync/dkp';
import { Modules, ModuleSources } from '@modsync/k8s';
import { waitFor } from '../test/env/net.ts';
import { publishModules } from './bulk-publisher.ts';
import { isSynced } from './source-watch.ts';
import { sleep } from '@modsync/runtime/backoff';
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
  /** The applier's, once it has written the Module of every synced module (when asked for). */
  applier?: { memory: Awaited<ReturnType<typeof memoryOf>>; modulesSeconds: number } | undefined;
}

export async function measureLargeSource(
  world: World,
  count: number,
  options: { applier?: boolean } = {},
): Promise<LargeSourceResult> {
  const modules = moduleNames(count);
  const path = `bench-${world.run}/m${count}`;
  const expected = Math.min(count, MODULE_NAMES_CAP);
  const publishStarted = performance.now();
  const { requests } = await publishModules({
    client: world.publishClient,
    settings: world.settingsOf(path),
    modules,
    releases: expected,
    concurrency: 64,
  });
  const publishSeconds = (performance.now() - publishStarted) / 1000;
  const group = await world.syncerGroup('large');
  const large = await world.startReplica(group, 'large');
  await large.leading(world.kube, group.namespace);
  // Started first, so it follows the discovery events from the start.
  const applier = options.applier === true ? await world.startApplier(group, 'large') : undefined;
  const name = `large-${world.run}`;
  const started = performance.now();
  const synced = world.watch.waitFor(name, isSynced(expected), 300_000);
  await world.kube.apply(ModuleSources, world.moduleSource(name, group.group, `${world.registryHost}/${path}`));
  const { atMs } = await synced;
  const syncSeconds = (atMs - started) / 1000;
  // Let the sync's garbage settle before reading RSS.
  await sleep(1_000);
  const memory = await memoryOf(large);
  let applierResult: LargeSourceResult['applier'];
  if (applier !== undefined) {
    const offered = async () =>
      (await world.kube.list(Modules)).items.filter((m) => m.properties?.availableSources?.includes(name) === true)
        .length;
    await waitFor(`the applier's ${expected} Modules`, async () => (await offered()) >= expected, 600_000, 1_000);
    const modulesSeconds = (performance.now() - started) / 1000;
    await sleep(1_000);
    applierResult = { memory: await memoryOf(applier), modulesSeconds };
    await applier.stop();
  }
  await large.stop();
  return {
    modules: count,
    expected,
    publishSeconds,
    publishRequests: requests,
    syncSeconds,
    memory,
    applier: applierResult,
  };
}
