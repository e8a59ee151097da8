import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HelmRevision } from './helm-state.ts';

/** A helm command that failed: `message` is helm's own error output. */
export class HelmError extends Error {
  override readonly name = 'HelmError';
  readonly code = 'MODSYNC_HELM_FAILED';
  readonly exitCode: number | null;
  constructor(message: string, exitCode: number | null) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The helm binary: MODSYNC_HELM, else PATH, else the build cache (test/env/build-helm.sh). */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string {
  if (env['MODSYNC_HELM']) return env['MODSYNC_HELM'];
  for (const dir of (env['PATH'] ?? '').split(':')) if (dir && existsSync(join(dir, 'helm'))) return join(dir, 'helm');
  const cache = join(
    env['MODSYNC_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'modsync'),
    'helm',
  );
  if (existsSync(cache)) {
    for (const version of readdirSync(cache).sort().reverse())
      if (existsSync(join(cache, version, 'helm'))) return join(cache, version, 'helm');
  }
  throw new HelmError('helm not found: set MODSYNC_HELM, put helm on PATH, or run test/env/build-helm.sh', null);
}

export interface HelmOptions {
  binary: string;
  /**
   * Wait until the release's workloads are ready (helm's `--wait=watcher`): a module is Ready only when what it runs is
   * available, and a workload that never becomes ready fails the install with helm's message. @defaultValue true
   */
  wait?: boolean;
  /** Limit of one install, the wait included. @defaultValue 300000 */
  installTimeoutMs?: number;
  /** Kubeconfig file; absent = helm's own resolution (in-cluster service account). */
  kubeconfig?: string | undefined;
  /** Limit of one helm run. @defaultValue 300000 */
  timeoutMs?: number;
}

/** The helm CLI, one process per call, with a time limit; output parsed from JSON where helm offers it. */
export class Helm {
  private readonly options: Required<Omit<HelmOptions, 'kubeconfig'>> & HelmOptions;

  constructor(options: HelmOptions) {
    const installTimeoutMs = options.installTimeoutMs ?? 300_000;
    // The process limit leaves helm its own timeout plus a margin, so helm reports what was not ready.
    this.options = { wait: true, installTimeoutMs, timeoutMs: installTimeoutMs + 30_000, ...options };
  }

  private run(args: string[], signal?: AbortSignal): Promise<string> {
    const env = {
      ...process.env,
      ...(this.options.kubeconfig ? { KUBECONFIG: this.options.kubeconfig } : {}),
      HELM_CACHE_HOME: process.env['HELM_CACHE_HOME'] ?? '/tmp/modsync-helm/cache',
      HELM_CONFIG_HOME: process.env['HELM_CONFIG_HOME'] ?? '/tmp/modsync-helm/config',
      HELM_DATA_HOME: process.env['HELM_DATA_HOME'] ?? '/tmp/modsync-helm/data',
    };
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary, args, {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        signal,
        timeout: this.options.timeoutMs,
        killSignal: 'SIGKILL',
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => reject(new HelmError(`helm ${args[0]}: ${e.message}`, null)));
      child.on('close', (code, sig) => {
        if (code === 0) return resolve(Buffer.concat(out).toString());
        const text =
          Buffer.concat(err)
            .toString()
            .trim()
            .replace(/^Error: /, '') || Buffer.concat(out).toString().trim();
        reject(
          new HelmError(sig ? `helm ${args[0]} was stopped (${sig}) after ${this.options.timeoutMs} ms` : text, code),
        );
      });
    });
  }

  /** `helm upgrade --install`; the description records what was installed, so `status` can tell if it still matches. */
  async upgradeInstall(
    release: string,
    chartDir: string,
    namespace: string,
    valuesFile: string,
    description: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const wait = this.options.wait ? ['--wait=watcher'] : [];
    await this.run(
      [
        'upgrade',
        '--install',
        release,
        chartDir,
        '--namespace',
        namespace,
        '--create-namespace',
        '--values',
        valuesFile,
        '--description',
        description,
        '--history-max',
        '5',
        ...wait,
        '--timeout',
        `${Math.ceil(this.options.installTimeoutMs / 1000)}s`,
      ],
      signal,
    );
  }

  /**
   * The namespace of the release named `release`, in any namespace and any status but uninstalled (the bundle's
   * `module.yaml` names the namespace, so this finds it before anything is downloaded); the most recently updated one
   * if several. (helm 4 has no `list --all`: every status is asked for.)
   */
  async find(release: string, signal?: AbortSignal): Promise<string | undefined> {
    const filter = `^${release.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
    const json = JSON.parse(
      (await this.run(
        [
          'list',
          '--all-namespaces',
          '--deployed',
          '--failed',
          '--pending',
          '--superseded',
          '--uninstalling',
          '--filter',
          filter,
          '--output',
          'json',
        ],
        signal,
      )) || '[]',
    ) as { name?: string; namespace?: string; updated?: string }[];
    const found = json
      .filter((r) => r.name === release && r.namespace)
      .sort((a, b) => Date.parse(b.updated ?? '') - Date.parse(a.updated ?? ''));
    return found[0]?.namespace;
  }

  /** The release's revisions (status, description), none when it is not installed. */
  async history(release: string, namespace: string, signal?: AbortSignal): Promise<HelmRevision[]> {
    let out: string;
    try {
      out = await this.run(['history', release, '--namespace', namespace, '--output', 'json'], signal);
    } catch (err) {
      if (err instanceof HelmError && /not found/i.test(err.message)) return [];
      throw err;
    }
    return (JSON.parse(out || '[]') as { revision?: number; status?: string; description?: string }[]).map((r) => ({
      revision: Number(r.revision),
      status: r.status ?? 'unknown',
      description: r.description ?? '',
    }));
  }

  /** Back to `revision`, without waiting for workloads: an install follows at once. */
  async rollback(release: string, namespace: string, revision: number, signal?: AbortSignal): Promise<void> {
    await this.run(['rollback', release, String(revision), '--namespace', namespace, '--history-max', '5'], signal);
  }

  async uninstall(release: string, namespace: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.run(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '5m'], signal);
    } catch (err) {
      if (err instanceof HelmError && /not found/i.test(err.message)) return;
      throw err;
    }
  }
}
