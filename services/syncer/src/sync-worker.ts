import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { ModuleSources, type KubeClient } from '@modsync/k8s';
import { RedisLocks, type Logger, type RedisClient } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';
import type { SyncerKeys } from './keys.ts';
import type { SyncJobData } from './queues.ts';
import type { SyncMetrics } from './metrics.ts';
import { finalizeSource, type DeletionReport } from './source-deletion.ts';
import { syncSource, type SyncDependencies, type SyncReport } from './sync-source.ts';

export interface SyncWorkersOptions {
  connection: ConnectionOptions;
  keys: SyncerKeys;
  redis: RedisClient;
  kube: KubeClient;
  view: ClusterView;
  deps: SyncDependencies;
  concurrency: number;
  metrics: SyncMetrics;
  log: Logger;
  /** A job's and a source's lock outlive a dead holder by this much. */
  lockMs: number;
  /** This replica's name (the pod's), written into the source locks it holds. */
  identity: string;
}

/** A sync waiting for a pushed digest reads the tag again this often, at most this many times (then polling is left). */
const DIGEST_RETRY_MS = 200;
const DIGEST_TRIES = 15;

export type SyncJobResult = SyncReport | DeletionReport | { source: string; skipped: 'gone' | 'busy' };

/**
 * The workers of both queues, on every replica. A job syncs its source under the source's lock: a scheduled job finding
 * it busy is skipped (the running sync does the same work), a manual one is retried shortly after.
 */
export class SyncWorkers {
  private readonly workers: Worker<SyncJobData, SyncJobResult>[];
  /** One sync of a source at a time across the fleet; a dead holder's lock expires after `lockMs`. */
  private readonly locks: RedisLocks;

  constructor(options: SyncWorkersOptions) {
    this.locks = new RedisLocks({
      redis: options.redis,
      prefix: options.keys.syncLock,
      identity: options.identity,
      ttlMs: options.lockMs,
    });
    const process = (job: Job<SyncJobData, SyncJobResult>, token?: string) => this.process(options, job, token);
    const common = {
      connection: options.connection,
      prefix: options.keys.bullPrefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: Math.max(1_000, options.lockMs / 2),
    };
    this.workers = [
      new Worker<SyncJobData, SyncJobResult>(options.keys.syncQueue, process, common),
      new Worker<SyncJobData, SyncJobResult>(options.keys.resyncQueue, process, common),
    ];
    for (const worker of this.workers) {
      worker.on('failed', (job, err) =>
        options.log.warn({ source: job?.data.source, jobId: job?.id, err }, 'sync job failed'),
      );
      worker.on('error', (err) => options.log.error({ err }, 'sync worker error'));
    }
  }

  private async process(
    options: SyncWorkersOptions,
    job: Job<SyncJobData, SyncJobResult>,
    token?: string,
  ): Promise<SyncJobResult> {
    const name = job.data.source;
    const log = options.log.child({ source: name, jobId: job.id });
    const source = options.view.sources.get(name) ?? (await options.kube.get(ModuleSources, name));
    if (!source) return { source: name, skipped: 'gone' };
    if (source.metadata.deletionTimestamp) {
      // Decided on the stored object (its finalizers and resourceVersion), not the watch's copy.
      const deleting = await this.locks.withLock(name, async () => {
        const fresh = await options.kube.get(ModuleSources, name);
        return fresh
          ? finalizeSource(options.kube, options.view, fresh, log)
          : ({ source: name, skipped: 'gone' } as const);
      });
      return deleting ? deleting.value : { source: name, skipped: 'busy' };
    }
    // Timed and logged while the lock is held: the line's time and duration lie inside the lock (test/chaos checks
    // from them that no source is synced by two replicas at once).
    const held = await this.locks.withLock(name, async () => {
      const started = performance.now();
      const report = await syncSource(options.deps, source, log, job.data.module);
      const seconds = (performance.now() - started) / 1000;
      options.metrics.observe(report, seconds);
      log.info(
        {
          outcome: report.outcome,
          ...(report.only ? { module: report.only } : {}),
          modules: report.modules,
          pullErrors: report.pullErrors,
          fetched: report.fetched,
          statusChanged: report.statusChanged,
          kubernetesWrites: report.kubernetesWrites,
          events: report.events,
          durationMs: Math.round(seconds * 1000),
          ...(report.error ? { reason: report.error } : {}),
        },
        'source synced',
      );
      return report;
    });
    if (!held) {
      if (job.data.manual && token) {
        await job.moveToDelayed(Date.now() + 200, token);
        throw new DelayedError();
      }
      return { source: name, skipped: 'busy' };
    }
    const report = held.value;
    const tries = job.data.tries ?? 0;
    if (job.data.digest && report.onlyDigest !== job.data.digest && tries < DIGEST_TRIES && token) {
      // Distribution announces a manifest before it moves the tag: read the tag again shortly.
      log.debug(
        { module: job.data.module, digest: job.data.digest, seen: report.onlyDigest, tries },
        'channel tag not at the pushed digest yet',
      );
      await job.updateData({ ...job.data, tries: tries + 1 });
      await job.moveToDelayed(Date.now() + DIGEST_RETRY_MS, token);
      throw new DelayedError();
    }
    return report;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
