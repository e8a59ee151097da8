import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { installCrds } from './crds.ts';
import { removeOrphanContainers } from './containers.ts';
import { ensureDockerEngine } from './docker-engine.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { startRegistry, type TestRegistry } from './registry.ts';

/** What tests, benchmarks and the local stack need to reach the servers (plain data: it crosses process boundaries). */
export interface EnvironmentInfo {
  dir: string;
  logDir: string;
  kubeconfig?: string;
  kubectl?: string;
  apiServer?: string;
  redis?: { url: string; host: string; port: number; password?: string };
  /** Anonymous, plain HTTP. */
  registry?: { host: string; scheme: 'HTTP' };
  /** htpasswd basic auth and TLS with a CA made for it. */
  secureRegistry?: { host: string; scheme: 'HTTPS'; username: string; password: string; caPem: string };
  logFiles: string[];
}

export interface Environment {
  info: EnvironmentInfo;
  controlPlane?: ControlPlane;
  redis?: TestRedis;
  registry?: TestRegistry;
  secureRegistry?: TestRegistry;
  stop(): Promise<void>;
}

export interface StartEnvironmentOptions {
  controlPlane?: boolean;
  /** Install infra/crds into the API server. @defaultValue true when controlPlane */
  crds?: boolean;
  redis?: boolean | { password: boolean };
  registry?: boolean;
  secureRegistry?: boolean;
  log?: (line: string) => void;
  /** Keep the temp folder (logs) after stop. @defaultValue false */
  keepDir?: boolean;
}

/**
 * Starts what is asked for, in parallel: the control plane (local processes) beside Docker → images → Redis and registry
 * containers. Anything started is stopped again if another part fails.
 */
export async function startEnvironment(options: StartEnvironmentOptions): Promise<Environment> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[env] ${line}\n`));
  const dir = await mkdtemp(join(tmpdir(), 'modsync-env-'));
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const env: Environment = {
    info: { dir, logDir, logFiles: [] },
    async stop() {
      const parts = [env.redis, env.registry, env.secureRegistry, env.controlPlane].filter((p) => p !== undefined);
      await Promise.allSettled(parts.map((p) => p.stop()));
      if (!options.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
  const needsDocker = Boolean(options.redis || options.registry || options.secureRegistry);

  const controlPlaneReady = (async () => {
    if (!options.controlPlane) return;
    const started = Date.now();
    env.controlPlane = await startControlPlane({ dir: join(dir, 'control-plane'), log });
    env.info.logFiles.push(...env.controlPlane.processes.map((p) => p.logFile));
    if (options.crds ?? true) {
      await installCrds(env.controlPlane.kubectl, env.controlPlane.kubeconfig);
    }
    Object.assign(env.info, {
      kubeconfig: env.controlPlane.kubeconfig,
      kubectl: env.controlPlane.kubectl,
      apiServer: env.controlPlane.server,
    });
    log(`control plane ready in ${Date.now() - started} ms (${env.controlPlane.server})`);
  })();

  const containersReady = (async () => {
    if (!needsDocker) return;
    await ensureDockerEngine(log);
    const orphans = await removeOrphanContainers();
    if (orphans > 0) log(`removed ${orphans} container(s) left by killed runs`);
    await Promise.all([
      (async () => {
        if (!options.redis) return;
        const password = typeof options.redis === 'object' && options.redis.password;
        env.redis = await startRedis({ logDir, password, log });
        env.info.redis = {
          url: env.redis.url,
          host: env.redis.host,
          port: env.redis.port,
          password: env.redis.password,
        };
        env.info.logFiles.push(env.redis.logFile);
      })(),
      (async () => {
        if (!options.registry) return;
        env.registry = await startRegistry({ logDir, dir, name: 'registry', log });
        env.info.registry = { host: env.registry.host, scheme: 'HTTP' };
        env.info.logFiles.push(env.registry.logFile);
      })(),
      (async () => {
        if (!options.secureRegistry) return;
        const auth = { username: 'modsync', password: `pw-${Math.random().toString(36).slice(2)}` };
        const r = await startRegistry({ logDir, dir, name: 'secure-registry', auth, tls: true, log });
        env.secureRegistry = r;
        env.info.secureRegistry = {
          host: r.host,
          scheme: 'HTTPS',
          username: auth.username,
          password: auth.password,
          caPem: r.caPem ?? '',
        };
        env.info.logFiles.push(r.logFile);
      })(),
    ]);
  })();

  const results = await Promise.allSettled([controlPlaneReady, containersReady]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await env.stop().catch(() => {});
    throw failed.reason;
  }
  return env;
}
