import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from './net.ts';
import type { EnvironmentInfo } from './environment.ts';
import { REPO_ROOT } from './paths.ts';
import { startProcess, type ManagedProcess } from './process.ts';

export interface RunningService {
  process: ManagedProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  logFile: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crashed pod. */
  kill(): Promise<void>;
}

/** Variables of the image's `ENV` lines (infra/image/Dockerfile) that shape how Node runs: its options, malloc's. */
const IMAGE_RUNTIME_VARIABLES = ['NODE_ENV', 'NODE_OPTIONS', 'MALLOC_ARENA_MAX'];

/** The values the image gives IMAGE_RUNTIME_VARIABLES, read from its Dockerfile (so a benchmark runs what the image runs). */
export function imageRuntimeEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(REPO_ROOT, 'infra/image/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of dockerfile.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const [, key, quoted, plain] of line.slice(4).matchAll(/([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|(\S*))/g)) {
      if (IMAGE_RUNTIME_VARIABLES.includes(key!)) env[key!] = quoted ?? plain ?? '';
    }
  }
  return env;
}

export interface ServiceEnvOptions {
  /** The integration environment (its Redis and kubeconfig). */
  env: Pick<EnvironmentInfo, 'redis' | 'kubeconfig'>;
  /** MODSYNC_REDIS_PREFIX: the suite's own installation in the shared Redis. */
  prefix: string;
  /** MODSYNC_SOURCE_SELECTOR: the label selector of the suite's own ModuleSources. */
  selector: string;
}

/**
 * The environment of a syncer or applier that a test suite starts: its own Redis prefix and source selector, so suites
 * share the servers without seeing each other's objects, and short intervals so that nothing waits on a timer.
 * `overrides` replace or add variables (a variable set to `undefined` is left out).
 */
export function serviceEnv(
  { env, prefix, selector }: ServiceEnvOptions,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const all: Record<string, string | undefined> = {
    MODSYNC_REDIS_URL: env.redis?.url,
    KUBECONFIG: env.kubeconfig,
    MODSYNC_REDIS_PREFIX: prefix,
    MODSYNC_NAMESPACE: 'default',
    MODSYNC_SOURCE_SELECTOR: selector,
    // Syncs only when a test asks (a spec change, the resync annotation, the API), and a dead replica's job comes back soon.
    MODSYNC_SYNC_INTERVAL: '1h',
    MODSYNC_JOB_LOCK: '3s',
    MODSYNC_RESYNC_INTERVAL: '2s',
    MODSYNC_PENDING_RECHECK: '1s',
    // Release decisions only; the suites that install say MODSYNC_INSTALLER: 'helm'.
    MODSYNC_INSTALLER: 'none',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface ServiceOptions {
  logDir: string;
  instance: string;
  env: Record<string, string>;
  /**
   * Run what the image runs: the bundle `services/<name>/dist/main.js` (`npm run build` makes it) with the image's
   * Node options and malloc settings, instead of the .ts sources. @defaultValue false
   */
  built?: boolean;
}

/**
 * Runs a modsync service (`services/<name>/src/main.ts`, or its bundle when `built`) as its own Node 24 process and
 * waits for /readyz.
 */
export async function startService(name: 'syncer' | 'applier', options: ServiceOptions): Promise<RunningService> {
  // A port given in `env` (a registry is told where to send notifications before the service starts) is used as is.
  const port = options.env.MODSYNC_HTTP_PORT ? Number(options.env.MODSYNC_HTTP_PORT) : await freePort();
  const node = join(REPO_ROOT, 'node_modules/.bin/node');
  const entry = join(REPO_ROOT, options.built ? `services/${name}/dist/main.js` : `services/${name}/src/main.ts`);
  const proc = startProcess(`${name}-${options.instance}`, node, [entry], options.logDir, {
    ...process.env,
    ...(options.built ? imageRuntimeEnv() : {}),
    MODSYNC_HTTP_HOST: '127.0.0.1',
    MODSYNC_HTTP_PORT: String(port),
    MODSYNC_IDENTITY: `${name}-${options.instance}`,
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} ${options.instance}`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`${name} exited ${proc.child.exitCode}, see ${proc.logFile}`);
      return (await fetch(`${url}/readyz`)).ok;
    },
    60_000,
    100,
  );
  return {
    process: proc,
    url,
    logFile: proc.logFile,
    stop: () => proc.stop(30_000),
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}
