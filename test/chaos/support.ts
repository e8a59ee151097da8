// What the chaos scenarios share: a small world of ModuleSources (one module each, enabled, so the applier creates its
// releases) served by syncer and applier replicas run as real processes (test/env/services.ts), and the checks every
// scenario makes after its fault: every source synced, every release created once, no sync run twice at once.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { Queue } from 'bullmq';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  Modules,
  ModuleSources,
  type ModuleSource,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings, type RegistryClient } from '@modsync/registry';
import { createRedis, loadRedisTarget } from '@modsync/runtime';
import { syncerKeys } from '@modsync/syncer';
import { run } from '../env/process.ts';
import { startService, type RunningService } from '../env/services.ts';
import type { EnvironmentInfo } from '../env/environment.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

/** Registers cleanups run after the file's tests, last registered first (a server after what used it). */
export function useCleanups(): (cleanup: () => Promise<unknown>) => void {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });
  return (cleanup) => cleanups.push(cleanup);
}

export function chaosEnv(): EnvironmentInfo {
  return inject('chaosEnv');
}

/** Timings of one sync or install: two replicas must never work on one source (or module) at once (the locks). */
interface Span {
  subject: string;
  replica: string;
  from: number;
  to: number;
}

export interface WorldOptions {
  /** Names carry it: scenarios share the API server and the registry. */
  id: string;
  sources: number;
  /** Redis variables of the services (URL, Sentinels or Cluster). */
  redisEnv: Record<string, string>;
  syncers: number;
  appliers: number;
  /** @defaultValue '5s' */
  syncInterval?: string;
  /** Another API server than the run's (a scenario that stops its own). */
  kubeconfig?: string;
  extraEnv?: Record<string, string>;
  /**
   * host:port each ModuleSource names instead of the run's registry, by the source's index (fault proxies in front of
   * it); publishing goes to the registry.
   */
  sourceRegistry?: (index: number) => string;
}

/** N ModuleSources, each with one module on the Stable channel, enabled by a ModuleConfig; replicas serve them. */
export class World {
  readonly env = chaosEnv();
  readonly options: WorldOptions;
  readonly syncers: RunningService[] = [];
  readonly appliers: RunningService[] = [];
  kube!: KubeClient;
  private readonly registry: RegistryClient = createRegistryClient();
  private readonly publishers = new Map<string, ModulePublisher>();
  private instances = 0;
  private stopped = false;
  /** Replicas a scenario killed on purpose (not counted as exited). */
  private readonly killed = new Set<string>();

  constructor(options: WorldOptions) {
    this.options = options;
  }

  get kubeconfig(): string {
    return this.options.kubeconfig ?? this.env.kubeconfig!;
  }

  get sourceNames(): string[] {
    return Array.from({ length: this.options.sources }, (_, i) => `${this.options.id}-s${i}`);
  }

  moduleOf(source: string): string {
    return `${source}-m`;
  }

  serviceEnv(): Record<string, string> {
    return {
      ...this.options.redisEnv,
      KUBECONFIG: this.kubeconfig,
      MODSYNC_REDIS_PREFIX: this.options.id,
      // A namespace per world: the syncers' leader-election Lease is theirs alone.
      MODSYNC_NAMESPACE: this.options.id,
      MODSYNC_SOURCE_SELECTOR: `chaos=${this.options.id}`,
      MODSYNC_SYNC_INTERVAL: this.options.syncInterval ?? '5s',
      MODSYNC_JOB_LOCK: '3s',
      MODSYNC_RESYNC_INTERVAL: '5s',
      MODSYNC_PENDING_RECHECK: '1s',
      // Release decisions only: installing with helm is the real node's test (test/node).
      MODSYNC_INSTALLER: 'none',
      ...this.options.extraEnv,
    };
  }

  async start(version: string): Promise<void> {
    this.kube = await KubeClient.create(kubeConfigFromString(await readFile(this.kubeconfig, 'utf8')));
    await run(this.env.kubectl!, ['create', 'namespace', this.options.id], {
      env: { ...process.env, KUBECONFIG: this.kubeconfig },
    });
    for (const source of this.sourceNames) await this.publish(source, version);
    for (let i = 0; i < this.options.syncers; i++) this.syncers.push(await this.startReplica('syncer'));
    for (let i = 0; i < this.options.appliers; i++) this.appliers.push(await this.startReplica('applier'));
    for (const source of this.sourceNames) await this.create(source);
  }

  /** One more source (its module published at `version`, enabled): the services must notice it by their watches. */
  async addSource(version: string): Promise<string> {
    this.options.sources += 1;
    const source = this.sourceNames.at(-1)!;
    await this.publish(source, version);
    await this.create(source);
    return source;
  }

  private async publish(source: string, version: string): Promise<void> {
    const path = `${source}/modules`;
    let publisher = this.publishers.get(source);
    if (!publisher) {
      publisher = new ModulePublisher(
        this.registry,
        parseRegistrySettings({ repo: `${this.env.registry!.host}/${path}`, scheme: 'HTTP' }),
        path,
      );
      this.publishers.set(source, publisher);
    }
    await publisher.publish({ module: this.moduleOf(source), version, channels: ['stable'] });
  }

  private async create(source: string): Promise<void> {
    await this.kube.apply(ModuleSources, this.source(source));
    await this.kube.apply(ModuleConfigs, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name: this.moduleOf(source) },
      spec: { enabled: true, source },
    });
  }

  async startReplica(kind: 'syncer' | 'applier'): Promise<RunningService> {
    return startService(kind, {
      logDir: this.env.logDir,
      instance: `${this.options.id}-${kind}-${this.instances++}`,
      env: this.serviceEnv(),
    });
  }

  private source(name: string): ModuleSource {
    const host = this.options.sourceRegistry?.(this.sourceNames.indexOf(name)) ?? this.env.registry!.host;
    const repo = `${host}/${name}/modules`;
    return {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name, labels: { chaos: this.options.id } },
      spec: { registry: { repo, scheme: 'HTTP' } },
    };
  }

  /** Publishes `version` of every module (the work the next syncs find). */
  async publishAll(version: string): Promise<void> {
    await Promise.all(this.sourceNames.map((source) => this.publish(source, version)));
  }

  /** Every source's status shows `version` for its module without a pull error, and the release `<module>-<version>` exists. */
  async converged(version: string, sources: string[] = this.sourceNames): Promise<boolean> {
    for (const source of sources) {
      const status = (await this.kube.get(ModuleSources, source))?.status;
      // The world's module (a scenario may add a broken one beside it, which makes the source's message an error).
      const module = status?.modules?.find((m) => m.name === this.moduleOf(source));
      if (module?.version !== version || module.pullError) return false;
      if (!(await this.kube.get(ModuleReleases, `${this.moduleOf(source)}-${version}`))) return false;
    }
    return true;
  }

  /** uid of every release of the world's modules, by name. */
  async releases(): Promise<Map<string, string>> {
    const modules = new Set(this.sourceNames.map((s) => this.moduleOf(s)));
    const all = (await this.kube.list(ModuleReleases)).items;
    return new Map(
      all.filter((r) => modules.has(r.spec.moduleName)).map((r) => [r.metadata.name, r.metadata.uid ?? '']),
    );
  }

  /** Log lines of every replica that contain `text`, with their times (ms). */
  async logLines(text: string): Promise<Array<{ replica: string; at: number }>> {
    const lines: Array<{ replica: string; at: number }> = [];
    for (const replica of [...this.syncers, ...this.appliers]) {
      for (const line of (await readFile(replica.logFile, 'utf8').catch(() => '')).split('\n')) {
        if (line.includes(text))
          lines.push({ replica: replica.process.name, at: Date.parse((JSON.parse(line) as { time: string }).time) });
      }
    }
    return lines;
  }

  /** Runs `fn` with the world's sync queue (a connection of its own, closed after). */
  private async withSyncQueue<T>(fn: (queue: Queue) => Promise<T>): Promise<T> {
    const client = createRedis({
      target: loadRedisTarget('chaos', this.options.redisEnv),
      name: 'chaos-queue',
      maxRetriesPerRequest: 1,
    });
    const keys = syncerKeys(this.options.id);
    const queue = new Queue(keys.syncQueue, { connection: client, prefix: keys.bullPrefix });
    try {
      return await fn(queue);
    } finally {
      await queue.close().catch(() => {});
      client.disconnect();
    }
  }

  /** Per job scheduler, the state of its next run (`repeat:<id>:<next>`); the age of every running job (ms). */
  async syncQueueState(): Promise<{
    schedulers: Array<{ id: string; next?: number; state: string }>;
    activeAgesMs: number[];
  }> {
    return this.withSyncQueue(async (queue) => {
      const schedulers = [];
      for (const s of await queue.getJobSchedulers(0, -1)) {
        schedulers.push({
          id: s.key,
          ...(s.next ? { next: s.next } : {}),
          state: await queue.getJobState(`repeat:${s.key}:${s.next}`),
        });
      }
      const activeAgesMs = (await queue.getActive()).map((job) => Date.now() - (job.processedOn ?? Date.now()));
      return { schedulers, activeAgesMs };
    });
  }

  /**
   * What the sync queue holds (a scenario that did not converge prints it): per job scheduler its next run and the state
   * of that run's job, the counts of each state and the workers connected.
   */
  async queueReport(): Promise<string> {
    try {
      const { schedulers } = await this.syncQueueState();
      return await this.withSyncQueue(async (queue) =>
        [
          ...schedulers.map((s) => `${s.id} next=${s.next ? new Date(s.next).toISOString() : '-'} job=${s.state}`),
          `counts ${JSON.stringify(await queue.getJobCounts())}`,
          `workers ${(await queue.getWorkers()).map((w) => w['name']).join(', ')}`,
        ].join('\n'),
      );
    } catch (err) {
      return `queue report failed: ${(err as Error).message}`;
    }
  }

  /** Kills (SIGKILL) one live replica of `kind`, picked by `pick` from [0, live), and starts one in its place. */
  async killAndReplace(kind: 'syncer' | 'applier', pick: (live: number) => number): Promise<string> {
    const replicas = kind === 'syncer' ? this.syncers : this.appliers;
    const live = replicas.filter((r) => !this.killed.has(r.process.name));
    const victim = live[pick(live.length)]!;
    this.killed.add(victim.process.name);
    await victim.kill();
    replicas.push(await this.startReplica(kind));
    return victim.process.name;
  }

  /** Replicas that exited by themselves (a crash loop shows here). */
  exited(): string[] {
    return [...this.syncers, ...this.appliers]
      .filter((r) => !this.killed.has(r.process.name) && r.process.child.exitCode !== null)
      .map((r) => `${r.process.name} (exit ${r.process.child.exitCode})`);
  }

  /** Syncs of one source by two replicas that overlapped in time, read from the syncers' logs ('source synced' lines). */
  overlappingSyncs(): Promise<string[]> {
    return overlapping(this.syncers, 'source synced', 'source');
  }

  /** Installs of one module by two replicas that overlapped in time, read from the appliers' logs. */
  overlappingInstalls(): Promise<string[]> {
    return overlapping(this.appliers, 'module installed', 'module');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled([...this.syncers, ...this.appliers].map((r) => r.stop()));
    for (const source of this.sourceNames) {
      await this.kube.delete(ModuleConfigs, this.moduleOf(source)).catch(() => {});
      await this.kube.delete(ModuleSources, source).catch(() => {});
    }
    for (const [name] of await this.releases().catch(() => new Map<string, string>()))
      await this.kube.delete(ModuleReleases, name).catch(() => {});
    for (const source of this.sourceNames) await this.kube.delete(Modules, this.moduleOf(source)).catch(() => {});
    await run(this.env.kubectl!, ['delete', 'namespace', this.options.id, '--wait=false'], {
      env: { ...process.env, KUBECONFIG: this.kubeconfig },
    }).catch(() => {});
    await this.registry.close();
    await this.kube.close();
  }
}

/** Spans (`durationMs` before the line's time) of `message` lines with the same `key` by two replicas that overlap. */
async function overlapping(replicas: RunningService[], message: string, key: 'source' | 'module'): Promise<string[]> {
  const spans: Span[] = [];
  for (const replica of replicas) {
    const text = await readFile(replica.logFile, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.includes(`"${message}"`)) continue;
      const entry = JSON.parse(line) as { time: number | string; durationMs?: number } & Partial<
        Record<typeof key, string>
      >;
      const subject = entry[key];
      if (!subject || entry.durationMs === undefined) continue;
      const to = typeof entry.time === 'number' ? entry.time : Date.parse(entry.time);
      spans.push({ subject, replica: replica.process.name, from: to - entry.durationMs, to });
    }
  }
  const overlaps: string[] = [];
  for (const a of spans) {
    for (const b of spans) {
      if (a.replica < b.replica && a.subject === b.subject && a.from < b.to && b.from < a.to)
        overlaps.push(`${a.subject}: ${a.replica} and ${b.replica}`);
    }
  }
  return overlaps;
}

/** Lines of every log in `logDir` (services, servers, containers) that contain one of `secrets`, named by file. */
export async function secretsInLogs(logDir: string, secrets: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await readdir(logDir)) {
    const text = await readFile(join(logDir, file), 'utf8').catch(() => '');
    for (const secret of secrets)
      if (secret.length >= 8 && text.includes(secret)) found.push(`${file} holds a secret (${secret.slice(0, 2)}…)`);
  }
  return found;
}

/** Milliseconds until `check` holds (polled), or undefined when it did not within `timeoutMs`. */
export async function timeUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if (await check()) return Date.now() - started;
    } catch {
      // the server being checked may be the one that is down: ask again
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return undefined;
}
