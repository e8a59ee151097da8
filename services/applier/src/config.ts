import { hostname } from 'node:os';
import { z } from 'zod';
import { durationMs, loadRedisTarget, parseEnvironment, redisEnvironment, type RedisTarget } from '@modsync/runtime';

const schema = z.object({
  /** Where Redis is: a URL, Sentinels or Cluster nodes (libs/runtime/src/redis-target.ts, docs/operations.md#redis). */
  ...redisEnvironment,
  KUBECONFIG: z.string().optional(),
  /** Every module is reconciled from the cluster's state at this interval, whatever the watches and events said. */
  MODSYNC_RESYNC_INTERVAL: durationMs.default(300_000),
  /** A module with a Pending release is looked at again after this long (DKP: 15 s), e.g. for requirements. */
  MODSYNC_PENDING_RECHECK: durationMs.default(15_000),
  /** Modules reconciled at once by one replica. */
  MODSYNC_RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Requests per second to one registry host: the budget every syncer and applier replica shares (set it as the syncer's). */
  MODSYNC_REGISTRY_RPS: z.coerce.number().positive().default(100),
  /** The platform version requirements `deckhouse: …` are checked against; unset skips that check. */
  MODSYNC_DECKHOUSE_VERSION: z
    .string()
    .regex(/^v?\d+\.\d+\.\d+/)
    .optional(),
  MODSYNC_HTTP_HOST: z.string().default('127.0.0.1'),
  MODSYNC_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Where to write the bound port (for MODSYNC_HTTP_PORT=0: a free port per replica, read by the image's modsync-probe). */
  MODSYNC_HTTP_PORT_FILE: z.string().min(1).optional(),
  /** Prefix of every Redis key (the syncer's events are read from `<prefix>:events`). */
  MODSYNC_REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('modsync'),
  /** Only ModuleSources matching this label selector (as the syncer's). */
  MODSYNC_SOURCE_SELECTOR: z.string().optional(),
  MODSYNC_IDENTITY: z.string().default(`${hostname()}-${process.pid}`),
  MODSYNC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** `helm` installs Deployed releases (services/applier/README.md "Installing"); `none` only decides releases (another tool deploys). */
  MODSYNC_INSTALLER: z.enum(['helm', 'none']).default('helm'),
  /** Downloaded bundles, one folder per module version (a volume in the chart). */
  MODSYNC_MODULE_STORE: z.string().default('/var/lib/modsync/modules'),
  /** The helm binary (else PATH, else the build cache). */
  MODSYNC_HELM: z.string().optional(),
  /** A module is Ready only once its workloads are (helm --wait=watcher); `false` counts an accepted release as Ready. */
  MODSYNC_INSTALL_WAIT: z.enum(['true', 'false']).default('true'),
  /** Limit of one install, waiting for workloads included; past it the module is in Error with helm's message. */
  MODSYNC_INSTALL_TIMEOUT: durationMs.default(300_000),
  /** Installs of different modules at once. */
  MODSYNC_INSTALL_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Deploy gate: lint bundles before installing; refuse on `errors`, or on `warnings` too. */
  MODSYNC_LINT_GATE: z.enum(['off', 'errors', 'warnings']).default('off'),
});

export interface ApplierConfig {
  redis: RedisTarget;
  kubeconfig: string | undefined;
  resyncIntervalMs: number;
  pendingRecheckMs: number;
  reconcileConcurrency: number;
  registryRps: number;
  deckhouseVersion: string | undefined;
  httpHost: string;
  httpPort: number;
  httpPortFile: string | undefined;
  prefix: string;
  sourceSelector: string | undefined;
  identity: string;
  logLevel: string;
  installer: 'helm' | 'none';
  moduleStore: string;
  helm: string | undefined;
  installConcurrency: number;
  installWait: boolean;
  installTimeoutMs: number;
  lintGate: 'off' | 'errors' | 'warnings';
}

/** Reads and validates the environment once; a bad value names its variable. */
export function loadApplierConfig(env: NodeJS.ProcessEnv = process.env): ApplierConfig {
  const e = parseEnvironment('applier', schema, env);
  return Object.freeze({
    redis: loadRedisTarget('applier', e),
    kubeconfig: e.KUBECONFIG,
    resyncIntervalMs: e.MODSYNC_RESYNC_INTERVAL,
    pendingRecheckMs: e.MODSYNC_PENDING_RECHECK,
    reconcileConcurrency: e.MODSYNC_RECONCILE_CONCURRENCY,
    registryRps: e.MODSYNC_REGISTRY_RPS,
    deckhouseVersion: e.MODSYNC_DECKHOUSE_VERSION,
    httpHost: e.MODSYNC_HTTP_HOST,
    httpPort: e.MODSYNC_HTTP_PORT,
    httpPortFile: e.MODSYNC_HTTP_PORT_FILE,
    prefix: e.MODSYNC_REDIS_PREFIX,
    sourceSelector: e.MODSYNC_SOURCE_SELECTOR,
    identity: e.MODSYNC_IDENTITY,
    logLevel: e.MODSYNC_LOG_LEVEL,
    installer: e.MODSYNC_INSTALLER,
    moduleStore: e.MODSYNC_MODULE_STORE,
    helm: e.MODSYNC_HELM,
    installConcurrency: e.MODSYNC_INSTALL_CONCURRENCY,
    installWait: e.MODSYNC_INSTALL_WAIT === 'true',
    installTimeoutMs: e.MODSYNC_INSTALL_TIMEOUT,
    lintGate: e.MODSYNC_LINT_GATE,
  });
}
