import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { releaseModule } from '@modsync/dkp';
import { EventSubscriber, type DiscoveryEvent } from '@modsync/events';
import { KubeApiError, KubeClient, loadKubeConfig, type ModuleSource } from '@modsync/k8s';
import { createRegistryClient } from '@modsync/registry';
import {
  createHttpServer,
  createLogger,
  createMetricsRegistry,
  createRedis,
  RedisLocks,
  describeRedisTarget,
  listenHttp,
  type Logger,
} from '@modsync/runtime';
import { ClusterView } from './cluster-view.ts';
import type { ApplierConfig } from './config.ts';
import { findHelm, Helm } from './install/helm.ts';
import { HelmInstaller } from './install/helm-installer.ts';
import { ModuleStore } from './install/module-store.ts';
import { noopInstaller, type Installer } from './installer.ts';
import { InstallRecords } from './install/install-records.ts';
import { applierKeys } from './keys.ts';
import { ApplierMetrics } from './metrics.ts';
import { EventOverlay, modulesMissedByEvents } from './offers.ts';
import type { ReconcileDependencies } from './reconcile/context.ts';
import { reconcileName, type ReconcileReport } from './reconcile/reconcile-name.ts';
import { WorkQueue } from './work-queue.ts';
import { Writer } from './writer.ts';

export interface StartApplierOptions {
  /** Deployment (services/applier/README.md "Installing"). @defaultValue noopInstaller */
  installer?: Installer;
  /** The clock (tests). @defaultValue () => new Date() */
  now?: () => Date;
}

export interface RunningApplier {
  http: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  log: Logger;
  view: ClusterView;
  /** Reconciles `name` now, outside the queue (tests): what it wrote. */
  reconcileNow(name: string): Promise<ReconcileReport>;
  stop(): Promise<void>;
}

/** A write refused because the decision was made on a stale copy (changed, created or deleted meanwhile). */
function isStale(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    (err.reason === 'Conflict' || err.reason === 'AlreadyExists' || (err.reason === 'NotFound' && err.method !== 'GET'))
  );
}

function modulesOfSource(source: ModuleSource | undefined): string[] {
  return (source?.status?.modules ?? []).map((m) => m.name);
}

/**
 * Starts an applier replica: cluster view (watches), a keyed work queue of module names, the discovery-event consumer
 * (group `applier`, shared by every replica), a periodic full resync, and the HTTP server.
 *
 * Concurrency between replicas is optimistic (see README): a module's decisions run one at a time per replica (the
 * queue), and every update carries the resourceVersion it was decided on, so a decision made on a stale copy fails
 * with Conflict and is made again on the fresh object. Creates are create-only (AlreadyExists = someone did it).
 */
export async function startApplier(
  config: ApplierConfig,
  log: Logger = createLogger({ service: 'applier', level: config.logLevel }),
  options: StartApplierOptions = {},
): Promise<RunningApplier> {
  const keys = applierKeys(config.prefix);
  const metricsRegistry = createMetricsRegistry('applier');
  const kc = loadKubeConfig(config.kubeconfig);
  const kube = await KubeClient.create(kc, { fieldManager: 'modsync-applier' });
  // One request budget per registry host, spent by every syncer and applier replica (docs/architecture.md).
  const budgetRedis = createRedis({
    target: config.redis,
    name: `applier-registry-budget:${config.identity}`,
    commandTimeoutMs: 5_000,
  });
  const registry = createRegistryClient({
    requestsPerSecondPerHost: config.registryRps,
    burstPerHost: config.registryRps,
    sharedBudget: { redis: budgetRedis, keyPrefix: config.prefix },
  });
  const view = new ClusterView(kube, (err) => log.warn({ err }, 'watch failed; retrying'), config.sourceSelector);
  const metrics = new ApplierMetrics(metricsRegistry, view);
  const overlay = new EventOverlay();
  const stopping = new AbortController();
  let kubernetesVersion: string | undefined;
  const refreshKubernetesVersion = async () => {
    try {
      kubernetesVersion = (await kube.serverVersion()).gitVersion;
    } catch (err) {
      log.warn({ err }, 'kubernetes version unknown; its requirement checks are skipped');
    }
  };

  // The helm installer's per-module locks, shared with the other replicas (none without it: nothing to serialize).
  const lockRedis =
    !options.installer && config.installer === 'helm'
      ? createRedis({ target: config.redis, name: `applier-install-lock:${config.identity}`, commandTimeoutMs: 5_000 })
      : undefined;
  // Lock calls report their own failures (typed, the reconcile retries); this only keeps reconnect errors off stderr.
  lockRedis?.on('error', (err: Error) => log.debug({ err }, 'install lock Redis connection failed'));
  const helmInstaller = (redis: NonNullable<typeof lockRedis>) =>
    new HelmInstaller({
      registry,
      store: new ModuleStore(config.moduleStore),
      helm: new Helm({
        binary: config.helm ?? findHelm(),
        kubeconfig: config.kubeconfig,
        wait: config.installWait,
        installTimeoutMs: config.installTimeoutMs,
      }),
      locks: new RedisLocks({ redis, prefix: keys.installLock, identity: config.identity }),
      records: new InstallRecords(redis, { installed: keys.installed, failures: keys.installFailures }),
      moduleConfig: (name) => view.configs.get(name),
      log,
      concurrency: config.installConcurrency,
      lintGate: config.lintGate === 'off' ? undefined : { failOnWarnings: config.lintGate === 'warnings' },
    });
  const deps: ReconcileDependencies = {
    kube,
    view,
    overlay,
    registry,
    installer: options.installer ?? (lockRedis ? helmInstaller(lockRedis) : noopInstaller),
    platform: () => ({ deckhouseVersion: config.deckhouseVersion, kubernetesVersion }),
    pendingRecheckMs: config.pendingRecheckMs,
    ...(options.now ? { now: options.now } : {}),
    signal: stopping.signal,
  };

  const reconcile = async (name: string): Promise<ReconcileReport> => {
    const child = log.child({ module: name });
    const writer = new Writer(kube, (record) => metrics.wrote(record));
    const started = performance.now();
    try {
      const report = await reconcileName(deps, name, child, writer);
      metrics.reconciled('Reconciled', (performance.now() - started) / 1000);
      if (report.writes.length > 0)
        child.debug(
          { writes: report.writes.length, durationMs: Math.round(performance.now() - started) },
          'module reconciled',
        );
      return report;
    } catch (err) {
      metrics.reconciled('Failed', (performance.now() - started) / 1000);
      const code = (err as { code?: unknown }).code;
      metrics.failed(typeof code === 'string' ? code : 'UNKNOWN');
      if (isStale(err)) child.debug({ err, reason: 'Conflict' }, 'decided on a stale copy; again on the fresh one');
      else child.warn({ err, code }, 'reconcile failed; retrying');
      throw err;
    }
  };

  const queue = new WorkQueue({
    concurrency: config.reconcileConcurrency,
    worker: async (name) => ({ requeueAfterMs: (await reconcile(name)).requeueAfterMs }),
    isConflict: isStale,
    // Nothing is decided before every cache is filled: a release missing from a half-filled cache would look like a
    // module's first release (apply-now).
    paused: true,
  });
  const enqueue = (names: Iterable<string>) => {
    for (const name of names) void queue.add(name);
  };
  const enqueueAll = () => enqueue(view.allNames());

  log.info({ redis: describeRedisTarget(config.redis), server: kube.server, identity: config.identity }, 'starting');
  view.sources.on({
    // What a source offers reaches the applier by its discovery events (and the full resync); its status watch only
    // brings what no event says: a new source, a spec change, the start of its deletion, and a status change whose
    // event was lost (a Redis failover can drop the newest stream entries).
    onUpsert: (source, previous) => {
      if (
        previous &&
        previous.metadata.generation === source.metadata.generation &&
        previous.metadata.deletionTimestamp === source.metadata.deletionTimestamp
      ) {
        enqueue(
          modulesMissedByEvents(previous, source, (module, status) =>
            overlay.says(source.metadata.name, module, status),
          ),
        );
        return;
      }
      const names = new Set([...modulesOfSource(source), ...modulesOfSource(previous)]);
      for (const m of view.modules.list())
        if (m.properties?.availableSources?.includes(source.metadata.name)) names.add(m.metadata.name);
      enqueue(names);
    },
    onDelete: (source) => {
      overlay.forgetSource(source.metadata.name);
      const names = new Set(modulesOfSource(source));
      for (const m of view.modules.list())
        if (m.properties?.availableSources?.includes(source.metadata.name)) names.add(m.metadata.name);
      enqueue(names);
    },
  });
  view.modules.on({ onUpsert: (m) => enqueue([m.metadata.name]), onDelete: (m) => enqueue([m.metadata.name]) });
  view.configs.on({
    onUpsert: (c) => (c.metadata.name === 'deckhouse' ? enqueueAll() : enqueue([c.metadata.name])),
    onDelete: (c) => (c.metadata.name === 'deckhouse' ? enqueueAll() : enqueue([c.metadata.name])),
  });
  view.policies.on({ onUpsert: enqueueAll, onDelete: enqueueAll });
  view.releases.on({
    onUpsert: (r) => enqueue([releaseModule(r) ?? r.spec.moduleName]),
    onDelete: (r) => enqueue([releaseModule(r) ?? r.spec.moduleName]),
  });
  await refreshKubernetesVersion();
  await view.start();

  // The subscriber opens its own connections as copies of this one (never connected itself).
  const eventsRedis = createRedis({ target: config.redis, name: `applier-events:${config.identity}`, lazy: true });
  const subscriber = new EventSubscriber({
    connection: eventsRedis,
    group: keys.group,
    consumer: config.identity,
    prefix: keys.events,
    startFrom: 'oldest',
    handler: async (event: DiscoveryEvent) => {
      metrics.event(event.type);
      overlay.record(event, Date.now());
      // Acked on receipt: the event's state is held, and the queue retries the module's reconcile with backoff from the
      // cluster's state, so an API-server outage delays the work without pushing events into the dead-letter stream.
      void queue.add(event.module);
    },
  });
  await subscriber.start();

  // Full resync: every name again from the cluster's state, whatever the watches and events said.
  const resync = () => {
    metrics.resync();
    overlay.expire(Date.now() - 2 * config.resyncIntervalMs);
    void refreshKubernetesVersion();
    enqueueAll();
  };
  resync();
  queue.resume();
  const resyncTimer = setInterval(resync, config.resyncIntervalMs);
  resyncTimer.unref();

  let ready = true;
  const http = createHttpServer({ registry: metricsRegistry, isReady: () => ready });
  const address = await listenHttp(
    http,
    { host: config.httpHost, port: config.httpPort, portFile: config.httpPortFile },
    log,
  );

  return {
    http,
    url: address,
    log,
    view,
    reconcileNow: (name) => reconcile(name),
    async stop() {
      ready = false;
      clearInterval(resyncTimer);
      await http.close();
      // Stop taking events first (the running handler finishes and acks), then let running reconciles finish.
      await subscriber.close();
      await queue.stop();
      stopping.abort();
      await view.stop();
      await registry.close();
      budgetRedis.disconnect();
      lockRedis?.disconnect();
      eventsRedis.disconnect();
      await kube.close();
    },
  };
}
