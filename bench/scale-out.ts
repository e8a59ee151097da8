// Scale-out: real replicas behind a TCP proxy adding latency per chunk each way; all sources resynced over HTTP at once,
// done when BullMQ reports every resync job completed; one replica, then two. Requests from the replicas' /metrics.
import { ModuleSources } from '@modsync/k8s';
import { createRedis, mapLimit } from '@modsync/runtime';
import { syncerKeys } from '@modsync/syncer';
import { QueueEvents } from 'bullmq';
import { publishModules } from './bulk-publisher.ts';
import { startLatencyProxy } from './latency-proxy.ts';
import { resyncAll } from './resync-all.ts';
import { isSynced } from './source-watch.ts';
import type { SyncerProcess } from './syncer-process.ts';
import { fmt } from './figures.ts';
import { counterSum, median } from './util.ts';
import { moduleNames, type World } from './world.ts';

export interface ScaleOutOptions {
  readonly sources: number;
  readonly modules: number;
  /** Added by the proxy to every chunk, each way. */
  readonly delayMs: number;
  readonly warmups: number;
  readonly runs: number;
}

/**
 * The replicas' request budget, out of the way: it is one budget per registry host for all replicas (kept in Redis), so
 * at the default 100 req/s a second replica would add no requests per second and the figure would measure the budget,
 * not the replicas. Each attempt still spends it (a Redis round trip), as in production.
 */
const SCALE_OUT_REPLICA_ENV = { MODSYNC_REGISTRY_RPS: '100000' };

interface ScaleOutRound {
  seconds: number[];
  syncsPerReplica: number[];
  statusWrites: number;
  heads: number;
  tagLists: number;
  all: number;
}

export interface ScaleOutResult {
  /** Median time with one replica over the median with two. */
  ratio: number;
  one: ScaleOutRound;
  two: ScaleOutRound;
  names: string[];
  proxy: { connections: number; chunks: number };
}

export async function measureScaleOut(world: World, options: ScaleOutOptions): Promise<ScaleOutResult> {
  const { bench, kube, publishClient, run } = world;
  const modules = moduleNames(options.modules);
  const paths = Array.from({ length: options.sources }, (_, i) => `bench-${run}/scale-${String(i).padStart(2, '0')}`);
  await mapLimit(paths, 8, (path) =>
    publishModules({ client: publishClient, settings: world.settingsOf(path), modules, concurrency: 4 }),
  );
  const port = Number(world.registryHost.split(':')[1]);
  const proxy = await startLatencyProxy({
    targetHost: '127.0.0.1',
    targetPort: port,
    delayMs: options.delayMs,
    lifetimeMs: 10 * 60_000,
  });
  bench.onCleanup('latency proxy', () => proxy.close());
  const group = await world.syncerGroup('scale');
  const names = paths.map((_, i) => `scale-${String(i).padStart(2, '0')}-${run}`);
  await Promise.all(
    names.map((name, i) =>
      kube.apply(ModuleSources, world.moduleSource(name, group.group, `${proxy.host}/${paths[i]}`)),
    ),
  );
  const a = await world.startReplica(group, 'scale-a', SCALE_OUT_REPLICA_ENV);
  await Promise.all(names.map((name) => world.watch.waitFor(name, isSynced(options.modules), 120_000)));
  const connection = createRedis({
    target: world.env.info.redis!.url,
    name: 'bench-queue-events',
    maxRetriesPerRequest: null,
  });
  const keys = syncerKeys(group.prefix);
  const events = new QueueEvents(keys.resyncQueue, { connection, prefix: keys.bullPrefix });
  bench.onCleanup('queue events', async () => {
    await events.close();
    connection.disconnect();
  });
  await events.waitUntilReady();

  const measure = async (replicas: SyncerProcess[]): Promise<ScaleOutRound> => {
    for (let i = 0; i < options.warmups; i++) await resyncAll(a, names, events, 120_000);
    const before = await Promise.all(replicas.map((r) => r.metrics()));
    const seconds: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const { reports, seconds: took } = await resyncAll(a, names, events, 120_000);
      seconds.push(took);
      const changed = reports.filter((r) => r.statusChanged || r.kubernetesWrites > 1 || r.fetched > 0 || r.events > 0);
      if (changed.length > 0)
        throw new Error(`an unchanged resync wrote more than syncTime, or fetched: ${JSON.stringify(changed[0])}`);
    }
    const after = await Promise.all(replicas.map((r) => r.metrics()));
    const delta = (metric: string, labels: Record<string, string> = {}) =>
      replicas.map((_, i) => counterSum(after[i]!, metric, labels) - counterSum(before[i]!, metric, labels));
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
  const b = await world.startReplica(group, 'scale-b', SCALE_OUT_REPLICA_ENV);
  const two = await measure([a, b]);
  await b.stop();
  await a.stop();
  await proxy.close();
  return { ratio: median(one.seconds) / median(two.seconds), one, two, names, proxy: proxy.stats() };
}

/** The scale-out figure's value, how it is shown and its note. */
export function scaleOutFigure(
  r: ScaleOutResult,
  options: ScaleOutOptions,
): { value: number; shown: string; note: string } {
  const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join('/');
  return {
    value: r.ratio,
    shown: fmt.ratio(r.ratio),
    note: `all ${r.names.length} done in: 1 replica ${list(r.one.seconds)} s, 2 replicas ${list(r.two.seconds)} s (medians of ${options.runs} after ${options.warmups} warm-up); syncs per replica ${r.two.syncsPerReplica.join('+')}; shared budget ${SCALE_OUT_REPLICA_ENV.MODSYNC_REGISTRY_RPS} req/s`,
  };
}
