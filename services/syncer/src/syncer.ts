import type { FastifyInstance } from 'fastify';
import { EventPublisher } from '@modsync/events';
import { KubeClient, LeaderElector, loadKubeConfig, Pods } from '@modsync/k8s';
import { createRegistryClient, createRegistryMetrics } from '@modsync/registry';
import {
  createHttpServer,
  createLogger,
  createMetricsRegistry,
  createRedis,
  describeRedisTarget,
  listenHttp,
  type Logger,
} from '@modsync/runtime';
import { ClusterView } from './cluster-view.ts';
import type { SyncerConfig } from './config.ts';
import { addSyncerRoutes } from './http-api.ts';
import { LEADER_LABEL, syncerKeys } from './keys.ts';
import { SyncMetrics } from './metrics.ts';
import { addNotificationRoutes } from './notification-routes.ts';
import { SyncQueues } from './queues.ts';
import { ScheduleReconciler } from './schedule-reconciler.ts';
import { SyncStateStore } from './sync-state.ts';
import { SyncWorkers } from './sync-worker.ts';

export interface RunningSyncer {
  http: FastifyInstance;
  /** `http://host:port` the server listens on. */
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/** Starts a syncer replica: cluster view, workers, leader-elected scheduling, HTTP server. */
export async function startSyncer(
  config: SyncerConfig,
  log: Logger = createLogger({ service: 'syncer', level: config.logLevel }),
): Promise<RunningSyncer> {
  const keys = syncerKeys(config.prefix);
  const metricsRegistry = createMetricsRegistry('syncer');
  const registryMetrics = createRegistryMetrics({ register: metricsRegistry });
  const kc = loadKubeConfig(config.kubeconfig);
  const kube = await KubeClient.create(kc);
  // A command unanswered for 10 s fails (the sync is retried at its next run) instead of holding the job forever.
  const redis = createRedis({ target: config.redis, name: `syncer:${config.identity}`, commandTimeoutMs: 10_000 });
  // BullMQ's blocking connections wait for Redis instead of failing commands.
  const bullConnection = createRedis({
    target: config.redis,
    name: `syncer-bull:${config.identity}`,
    maxRetriesPerRequest: null,
  });
  // One request budget per registry host for every replica: kept in Redis (docs/architecture.md).
  const registry = createRegistryClient({
    requestsPerSecondPerHost: config.registryRps,
    burstPerHost: config.registryRps,
    maxConcurrentPerHost: config.registryConcurrency,
    sharedBudget: { redis, keyPrefix: config.prefix },
  });
  const publisher = new EventPublisher({ connection: redis, prefix: keys.events });
  const store = new SyncStateStore(redis, keys);
  const view = new ClusterView(kube, (err) => log.warn({ err }, 'watch failed; retrying'), config.sourceSelector);
  const queues = new SyncQueues(bullConnection, keys);
  const metrics = new SyncMetrics(metricsRegistry, queues);
  log.info({ redis: describeRedisTarget(config.redis), server: kube.server, identity: config.identity }, 'starting');
  await view.start();
  view.sources.on({ onDelete: (s) => metrics.forget(s.metadata.name) });

  const workers = new SyncWorkers({
    connection: bullConnection,
    queues,
    keys,
    redis,
    kube,
    view,
    concurrency: config.syncConcurrency,
    lockMs: config.jobLockMs,
    identity: config.identity,
    metrics,
    log,
    deps: {
      registry,
      kube,
      store,
      publish: (events) => publisher.publishAll(events),
      moduleContext: (source, module) => view.moduleContext(source, module),
      moduleConcurrency: config.moduleConcurrency,
    },
  });

  // The leading replica's pod carries LEADER_LABEL=true: the chart's `deckhouse-leader` Service selects it (DKP mode).
  const labelLeader = async (leading: boolean) => {
    if (!config.pod) return;
    try {
      await kube.mergePatch(
        Pods,
        config.pod.name,
        { metadata: { labels: { [LEADER_LABEL]: leading ? 'true' : null } } },
        { namespace: config.pod.namespace },
      );
    } catch (err) {
      log.warn({ err, pod: config.pod.name }, 'could not label the leader pod');
    }
  };
  const reconciler = new ScheduleReconciler({
    queues,
    view,
    redis,
    keys,
    store,
    defaultIntervalMs: config.syncIntervalMs,
    log,
  });
  const elector = new LeaderElector(kube, {
    namespace: config.namespace,
    name: 'modsync-syncer',
    identity: config.identity,
    onStartedLeading: (signal) => {
      log.info('leading: reconciling sync schedules');
      void labelLeader(true);
      void reconciler.run(signal).catch((err: unknown) => log.error({ err }, 'schedule reconciler stopped'));
    },
    onStoppedLeading: () => {
      log.info('no longer leading');
      void labelLeader(false);
    },
    onError: (err) => log.warn({ err }, 'leader election failed; retrying'),
  }).start();

  const http = createHttpServer({ registry: metricsRegistry, isReady: () => true });
  await addSyncerRoutes(http, {
    host: config.httpHost,
    credentials: { token: config.apiToken, username: config.dashboardUser, password: config.dashboardPassword },
    queues,
    view,
    log,
  });
  await addNotificationRoutes(http, {
    secrets: { token: config.notificationToken, hmacKey: config.notificationHmacKey },
    queues,
    view,
    metrics,
    log,
  });
  const address = await listenHttp(
    http,
    { host: config.httpHost, port: config.httpPort, portFile: config.httpPortFile },
    log,
  );

  return {
    http,
    url: address,
    log,
    async stop() {
      // Stop taking work first; a running sync finishes (or its job returns to the queue if it cannot).
      await http.close();
      await elector.stop();
      await workers.close();
      await queues.close();
      await view.stop();
      registryMetrics.close();
      await registry.close();
      await kube.close();
      redis.disconnect();
      bullConnection.disconnect();
    },
  };
}
