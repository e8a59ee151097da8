import { hostname } from 'node:os';
import { z } from 'zod';
import { durationMs, loadRedisTarget, parseEnvironment, redisEnvironment, type RedisTarget } from '@modsync/runtime';

const schema = z.object({
  /** Where Redis is: a URL, Sentinels or Cluster nodes (libs/runtime/src/redis-target.ts, docs/operations.md#redis). */
  ...redisEnvironment,
  KUBECONFIG: z.string().optional(),
  /** Default sync interval of a ModuleSource without spec.scanInterval (DKP: 3m). */
  MODSYNC_SYNC_INTERVAL: durationMs.default(180_000),
  /** Sync jobs one replica runs at once. */
  MODSYNC_SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  /** Module channel lookups of one source run at once. */
  MODSYNC_MODULE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  /** How long a worker's hold on a job (and on its source) outlives the worker: a dead replica's work is taken over after it. */
  MODSYNC_JOB_LOCK: durationMs.default(60_000),
  /** Requests per second to one registry host, shared by all syncs of this replica (be gentle with registries). */
  MODSYNC_REGISTRY_RPS: z.coerce.number().positive().default(100),
  /** Requests in flight to one registry host. */
  MODSYNC_REGISTRY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  MODSYNC_HTTP_HOST: z.string().default('127.0.0.1'),
  MODSYNC_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Where to write the bound port (for MODSYNC_HTTP_PORT=0: a free port per replica, read by the image's modsync-probe). */
  MODSYNC_HTTP_PORT_FILE: z.string().min(1).optional(),
  /** Guards POST /sources/<name>/resync and the dashboard: a bearer token and/or basic auth. */
  MODSYNC_API_TOKEN: z.string().min(16).optional(),
  MODSYNC_DASHBOARD_USER: z.string().min(1).optional(),
  MODSYNC_DASHBOARD_PASSWORD: z.string().min(8).optional(),
  /** Shared token of POST /notifications/registry and /notifications/harbor (docs/operations.md#registry-notifications). */
  MODSYNC_NOTIFICATION_TOKEN: z.string().min(16).optional(),
  /** HMAC-SHA256 key of POST /notifications/generic. */
  MODSYNC_NOTIFICATION_HMAC_KEY: z.string().min(16).optional(),
  /** Prefix of every Redis key (queues, state, events). */
  MODSYNC_REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('modsync'),
  /** Only ModuleSources matching this label selector (several modsync installations can split a cluster's sources). */
  MODSYNC_SOURCE_SELECTOR: z.string().optional(),
  /** Namespace of the leader-election Lease. */
  MODSYNC_NAMESPACE: z.string().default('default'),
  MODSYNC_IDENTITY: z.string().default(`${hostname()}-${process.pid}`),
  /** The pod this replica runs in (downward API): the leader labels it, so a Service can select the leading replica. */
  POD_NAME: z.string().optional(),
  POD_NAMESPACE: z.string().optional(),
  MODSYNC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

export interface SyncerConfig {
  redis: RedisTarget;
  kubeconfig: string | undefined;
  syncIntervalMs: number;
  syncConcurrency: number;
  moduleConcurrency: number;
  jobLockMs: number;
  registryRps: number;
  registryConcurrency: number;
  httpHost: string;
  httpPort: number;
  httpPortFile: string | undefined;
  apiToken: string | undefined;
  dashboardUser: string | undefined;
  dashboardPassword: string | undefined;
  notificationToken: string | undefined;
  notificationHmacKey: string | undefined;
  prefix: string;
  sourceSelector: string | undefined;
  namespace: string;
  identity: string;
  logLevel: string;
  pod: { name: string; namespace: string } | undefined;
}

/** Reads and validates the environment once; a bad value names its variable. */
export function loadSyncerConfig(env: NodeJS.ProcessEnv = process.env): SyncerConfig {
  const e = parseEnvironment('syncer', schema, env);
  if (Boolean(e.MODSYNC_DASHBOARD_USER) !== Boolean(e.MODSYNC_DASHBOARD_PASSWORD)) {
    throw new Error(
      'invalid syncer configuration: set both MODSYNC_DASHBOARD_USER and MODSYNC_DASHBOARD_PASSWORD, or neither',
    );
  }
  return Object.freeze({
    redis: loadRedisTarget('syncer', e),
    kubeconfig: e.KUBECONFIG,
    syncIntervalMs: e.MODSYNC_SYNC_INTERVAL,
    syncConcurrency: e.MODSYNC_SYNC_CONCURRENCY,
    moduleConcurrency: e.MODSYNC_MODULE_CONCURRENCY,
    jobLockMs: e.MODSYNC_JOB_LOCK,
    registryRps: e.MODSYNC_REGISTRY_RPS,
    registryConcurrency: e.MODSYNC_REGISTRY_CONCURRENCY,
    httpHost: e.MODSYNC_HTTP_HOST,
    httpPort: e.MODSYNC_HTTP_PORT,
    httpPortFile: e.MODSYNC_HTTP_PORT_FILE,
    apiToken: e.MODSYNC_API_TOKEN,
    dashboardUser: e.MODSYNC_DASHBOARD_USER,
    dashboardPassword: e.MODSYNC_DASHBOARD_PASSWORD,
    notificationToken: e.MODSYNC_NOTIFICATION_TOKEN,
    notificationHmacKey: e.MODSYNC_NOTIFICATION_HMAC_KEY,
    prefix: e.MODSYNC_REDIS_PREFIX,
    sourceSelector: e.MODSYNC_SOURCE_SELECTOR,
    namespace: e.MODSYNC_NAMESPACE,
    identity: e.MODSYNC_IDENTITY,
    logLevel: e.MODSYNC_LOG_LEVEL,
    pod: e.POD_NAME && e.POD_NAMESPACE ? { name: e.POD_NAME, namespace: e.POD_NAMESPACE } : undefined,
  });
}
