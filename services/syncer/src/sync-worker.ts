import { DelayedError, Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import { ModuleSources, type KubeClient } from '@modsync/k8s';
import { RedisLocks, withTimeout, type Logger, type RedisClient } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';
import type { SyncerKeys } from './keys.ts';
import type { SyncJobData, SyncQueues } from './queues.ts';
import type { SyncMetrics } from './metrics.ts';
import { finalizeSource, type DeletionReport } from './source-deletion.ts';
import { syncSource, type SyncDependencies, type SyncReport } from './sync-source.ts';
import { dueAt, workerIdle, workerStuck } from './worker-watchdog.ts';

export interface SyncWorkersOptions {
  connection: ConnectionOptions;
  /** The queues the workers serve: the watchdog reads what they hold. */
  queues: SyncQueues;
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

/** How often the watchdog looks, and how long a due job may wait on an idle worker before it is replaced. */
const WATCHDOG_EVERY_MS = 5_000;
const STUCK_AFTER_MS = 30_000;
/** A watchdog look that takes longer is given up (the queue's connection may be the one in trouble). */
const WATCHDOG_READ_TIMEOUT_MS = 5_000;

/** One queue's worker, replaced by the watchdog when it stops taking jobs. */
interface WorkerSlot {
  readonly queue: Queue<SyncJobData>;
  worker: Worker<SyncJobData, SyncJobResult>;
  running: number;
  lastProgressAt: number;
}

/**
 * The workers of both queues, on every replica. A job syncs its source under the source's lock: a scheduled job finding
 * it busy is skipped (the running sync does the same work), a manual one is retried shortly after.
 */
export class SyncWorkers {
  private readonly slots: WorkerSlot[];
  /** One sync of a source at a time across the fleet; a dead holder's lock expires after `lockMs`. */
  private readonly locks: RedisLocks;
  private readonly watchdog: NodeJS.Timeout;
  private readonly options: SyncWorkersOptions;

  constructor(options: SyncWorkersOptions) {
    this.locks = new RedisLocks({
      redis: options.redis,
      prefix: options.keys.syncLock,
      identity: options.identity,
      ttlMs: options.lockMs,
    });
    this.options = options;
    this.slots = [options.queues.sync, options.queues.resync].map((queue) => {
      const slot = { queue, running: 0, lastProgressAt: Date.now() } as WorkerSlot;
      slot.worker = this.startWorker(slot);
      return slot;
    });
    let looking = false;
    this.watchdog = setInterval(() => {
      if (looking) return;
      looking = true;
      void this.replaceStuckWorkers().finally(() => {
        looking = false;
      });
    }, WATCHDOG_EVERY_MS);
    this.watchdog.unref();
  }

  private startWorker(slot: WorkerSlot): Worker<SyncJobData, SyncJobResult> {
    const { options } = this;
    // Counted for the watchdog while this is the slot's worker (a replaced one's late jobs change nothing). Around the
    // processor, not from events: a job moved back to delayed (DelayedError) ends with no event.
    const progress = (delta: number) => {
      if (slot.worker !== worker) return;
      slot.running += delta;
      slot.lastProgressAt = Date.now();
    };
    const worker: Worker<SyncJobData, SyncJobResult> = new Worker<SyncJobData, SyncJobResult>(
      slot.queue.name,
      async (job, token) => {
        progress(1);
        try {
          return await this.process(options, job, token);
        } finally {
          progress(-1);
        }
      },
      {
        connection: options.connection,
        prefix: options.keys.bullPrefix,
        concurrency: options.concurrency,
        lockDuration: options.lockMs,
        stalledInterval: Math.max(1_000, options.lockMs / 2),
      },
    );
    worker.on('failed', (job, err) =>
      options.log.warn({ source: job?.data.source, jobId: job?.id, err }, 'sync job failed'),
    );
    worker.on('error', (err) => options.log.error({ err, queue: slot.queue.name }, 'sync worker error'));
    return worker;
  }

  /** Replaces each worker that takes no job while its queue's jobs are overdue (./worker-watchdog.ts). */
  private async replaceStuckWorkers(): Promise<void> {
    for (const slot of this.slots) {
      // A worker busy lately is not stuck: its queue is not read (the usual case, every 5 s on every replica).
      if (!workerIdle(slot, Date.now(), STUCK_AFTER_MS)) continue;
      let jobs: Job<SyncJobData>[];
      try {
        jobs = await withTimeout(
          slot.queue.getJobs(['wait', 'prioritized', 'delayed'], 0, 9, true),
          WATCHDOG_READ_TIMEOUT_MS,
          () => new Error(`no answer from Redis within ${WATCHDOG_READ_TIMEOUT_MS} ms`),
        );
      } catch (err) {
        this.options.log.warn({ err, queue: slot.queue.name }, 'sync worker watchdog could not read the queue');
        continue;
      }
      const oldestDueAt = jobs.length === 0 ? undefined : Math.min(...jobs.map(dueAt));
      const observation = { running: slot.running, lastProgressAt: slot.lastProgressAt, oldestDueAt };
      if (!workerStuck(observation, Date.now(), STUCK_AFTER_MS)) continue;
      this.options.log.warn(
        { queue: slot.queue.name, overdueSince: new Date(oldestDueAt!).toISOString() },
        'sync worker takes no job while jobs are overdue: replacing it',
      );
      this.options.metrics.workerReplaced(slot.queue.name);
      const stuck = slot.worker;
      slot.running = 0;
      slot.lastProgressAt = Date.now();
      slot.worker = this.startWorker(slot);
      // Forced: its blocking connection is dropped, and nothing waits on the command that may never settle.
      void stuck.close(true).catch(() => {});
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
    clearInterval(this.watchdog);
    await Promise.all(this.slots.map((slot) => slot.worker.close()));
  }
}
