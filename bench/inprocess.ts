// Figures measured in this process with the syncer's own syncSource: throughput against the raw HEAD loop on the same
// registry client, and what an unchanged cycle costs (registry requests, Kubernetes writes, discovery events).
import { waitFor } from '../test/env/net.ts';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { releaseRepository } from '@modsync/dkp';
import { EventPublisher } from '@modsync/events';
import { type KubeClient, ModuleSources, type ModuleSource, type ResourceType } from '@modsync/k8s';
import {
  REGISTRY_CHANNELS,
  type RegistryClient,
  type RegistryRequestMessage,
  type RegistrySettings,
} from '@modsync/registry';
import { createLogger, mapLimit, type RedisClient } from '@modsync/runtime';
import {
  ClusterView,
  SyncStateStore,
  syncerKeys,
  syncSource,
  type SyncDependencies,
  type SyncReport,
} from '@modsync/syncer';
import { median } from './util.ts';

/** Core v1 Events of every namespace (the collection path without a namespace). */
const AllEvents: ResourceType<{ metadata: { name: string } }> = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  namespaced: false,
};

export interface InProcessOptions {
  kube: KubeClient;
  redis: RedisClient;
  /** The client both loops share. */
  registry: RegistryClient;
  /** Settings of the source's repo. */
  settings: RegistrySettings;
  source: ModuleSource;
  modules: readonly string[];
  prefix: string;
  /** The syncer's MODSYNC_MODULE_CONCURRENCY default, used by both loops. @defaultValue 8 */
  concurrency?: number;
  /** Pairs of one raw and one sync cycle. @defaultValue 80 */
  pairs?: number;
  /** Stops adding pairs after this long. @defaultValue 60_000 */
  budgetMs?: number;
}

export interface InProcessResult {
  coldSeconds: number;
  coldReport: SyncReport;
  rawModulesPerSecond: number;
  syncModulesPerSecond: number;
  ratio: number;
  /** Cycle times, ms. */
  rawCycles: number[];
  syncCycles: number[];
  unchanged: {
    cycles: number;
    moduleChannels: number;
    headsPerModuleChannel: number;
    tagListsPerSource: number;
    otherRequests: Record<string, number>;
    statusWrites: number;
    kubernetesEvents: number;
    discoveryEvents: number;
    fetched: number;
  };
}

export async function runInProcess(options: InProcessOptions): Promise<InProcessResult> {
  const { kube, redis, registry, settings, modules } = options;
  const concurrency = options.concurrency ?? 8;
  const log = createLogger({ service: 'bench', level: 'silent' });
  const keys = syncerKeys(options.prefix);
  const view = new ClusterView(kube, () => {});
  await view.start();
  try {
    const publisher = new EventPublisher({ connection: redis, prefix: keys.events });
    const deps: SyncDependencies = {
      registry,
      kube,
      store: new SyncStateStore(redis, keys),
      publish: (events) => publisher.publishAll(events),
      moduleContext: (source, module) => view.moduleContext(source, module),
      moduleConcurrency: concurrency,
    };
    const name = options.source.metadata.name;
    await waitFor(`${name} in the view`, () => view.sources.get(name) !== undefined, 10_000, 10);

    // Cold: empty state to synced status.
    const started = performance.now();
    const coldReport = await syncSource(deps, view.sources.get(name)!, log);
    const coldSeconds = (performance.now() - started) / 1000;
    if (coldReport.outcome !== 'Synced' || coldReport.modules !== modules.length || coldReport.pullErrors > 0) {
      throw new Error(`cold in-process sync: ${JSON.stringify(coldReport)}`);
    }
    const written = await kube.get(ModuleSources, name);
    await waitFor(
      `${name} fresh in the view`,
      () => view.sources.get(name)?.metadata.resourceVersion === written?.metadata.resourceVersion,
      10_000,
      10,
    );
    const source = view.sources.get(name)!;

    const raw = () =>
      mapLimit(modules, concurrency, (module) =>
        registry.headManifest(settings, releaseRepository(settings.pathPrefix, module), 'stable'),
      );
    const sync = async () => {
      const report = await syncSource(deps, source, log);
      if (report.outcome !== 'Synced' || report.modules !== modules.length)
        throw new Error(`unchanged sync failed: ${JSON.stringify(report)}`);
      return report;
    };
    // Warm both paths (connections, auth scheme, JIT).
    for (let i = 0; i < 3; i++) {
      await raw();
      await sync();
    }

    // Count the registry requests of the measured sync cycles only.
    let counting = false;
    const requests = new Map<string, number>();
    const onRequest = (message: unknown) => {
      if (!counting) return;
      const op = (message as RegistryRequestMessage).op;
      requests.set(op, (requests.get(op) ?? 0) + 1);
    };
    const eventsBefore = (await kube.list(AllEvents)).items.length;
    subscribe(REGISTRY_CHANNELS.request, onRequest);
    const rawCycles: number[] = [];
    const syncCycles: number[] = [];
    let statusWrites = 0;
    let discoveryEvents = 0;
    let fetched = 0;
    const timeRaw = async () => {
      const started = performance.now();
      await raw();
      rawCycles.push(performance.now() - started);
    };
    const timeSync = async () => {
      counting = true;
      const started = performance.now();
      const report = await sync();
      syncCycles.push(performance.now() - started);
      counting = false;
      statusWrites += report.kubernetesWrites;
      discoveryEvents += report.events;
      fetched += report.fetched;
    };
    const budgetEnd = performance.now() + (options.budgetMs ?? 60_000);
    try {
      // Pairs of one raw and one sync cycle, alternating which goes first, so the machine's drifting load falls on both.
      const pairs = options.pairs ?? 80;
      for (let pair = 0; pair < pairs && performance.now() < budgetEnd; pair++) {
        if (pair % 2 === 0) {
          await timeRaw();
          await timeSync();
        } else {
          await timeSync();
          await timeRaw();
        }
      }
    } finally {
      counting = false;
      unsubscribe(REGISTRY_CHANNELS.request, onRequest);
    }
    const eventsAfter = (await kube.list(AllEvents)).items.length;

    const cycles = syncCycles.length;
    const moduleChannels = cycles * modules.length;
    const { head_manifest: heads = 0, list_tags: tagLists = 0, ...otherRequests } = Object.fromEntries(requests);
    const rawRate = modules.length / (median(rawCycles) / 1000);
    const syncRate = modules.length / (median(syncCycles) / 1000);
    return {
      coldSeconds,
      coldReport,
      rawModulesPerSecond: rawRate,
      syncModulesPerSecond: syncRate,
      ratio: syncRate / rawRate,
      rawCycles,
      syncCycles,
      unchanged: {
        cycles,
        moduleChannels,
        headsPerModuleChannel: heads / moduleChannels,
        tagListsPerSource: tagLists / cycles,
        otherRequests,
        statusWrites,
        kubernetesEvents: eventsAfter - eventsBefore,
        discoveryEvents,
        fetched,
      },
    };
  } finally {
    await view.stop();
  }
}
