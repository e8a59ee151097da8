import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { parseDuration } from '@modsync/runtime';
import { moduleSyncJobId, resyncJobId, type SyncerKeys } from './keys.ts';

export interface SyncJobData {
  source: string;
  /** Set on manual resyncs: a busy source is retried shortly instead of skipped. */
  manual?: boolean;
  /** Only this module of the source (a registry notification named it). */
  module?: string;
  /** The digest its channel tag was pushed with: the sync is repeated shortly until the tag shows it. */
  digest?: string;
  /** How often the sync was repeated waiting for `digest`. */
  tries?: number;
}

/** The two queues: scheduled syncs and manual resyncs (a queue of their own, so a resync never waits behind the schedule). */
export class SyncQueues {
  readonly sync: Queue<SyncJobData>;
  readonly resync: Queue<SyncJobData>;

  constructor(connection: ConnectionOptions, keys: SyncerKeys) {
    const defaultJobOptions = { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 1_000 } };
    this.sync = new Queue<SyncJobData>(keys.syncQueue, { connection, prefix: keys.bullPrefix, defaultJobOptions });
    this.resync = new Queue<SyncJobData>(keys.resyncQueue, { connection, prefix: keys.bullPrefix, defaultJobOptions });
  }

  /**
   * Asks for a sync of `source` now. While its resync job is queued or running, further requests collapse into it
   * (the job id is the source's); the job is removed when done, so the next request makes a new one.
   */
  async requestResync(source: string): Promise<{ jobId: string; collapsed: boolean }> {
    const requestedAt = Date.now();
    // Adding a job whose id exists returns the existing job: that is the collapse.
    const job = await this.resync.add(
      'resync',
      { source, manual: true },
      { jobId: resyncJobId(source), removeOnComplete: true, removeOnFail: true },
    );
    return { jobId: job.id ?? resyncJobId(source), collapsed: job.timestamp < requestedAt };
  }

  /**
   * Asks for a sync of one module of `source` now (of the whole source without `module`), in the resync queue. It
   * collapses into a queued sync of the same module, or of the whole source, which reads that module too. A busy source
   * is retried shortly, so a sync that started before the push is followed by one that sees it.
   */
  async requestModuleSync(
    source: string,
    module: string | undefined,
    digest?: string,
  ): Promise<{ jobId: string; collapsed: boolean }> {
    if (module === undefined) return this.requestResync(source);
    const whole = await this.resync.getJob(resyncJobId(source));
    if (whole && (await whole.isWaiting())) return { jobId: resyncJobId(source), collapsed: true };
    const requestedAt = Date.now();
    // A running sync of the module may have read it before this push: then a second job follows it.
    const first = moduleSyncJobId(source, module);
    const running = await this.resync.getJob(first);
    const jobId = running && (await running.isActive()) ? `${first}-again` : first;
    const data: SyncJobData = { source, module, manual: true, ...(digest ? { digest } : {}) };
    const job = await this.resync.add('module-sync', data, { jobId, removeOnComplete: true, removeOnFail: true });
    const collapsed = job.timestamp < requestedAt;
    // Collapsed into a queued sync: it waits for the newest digest instead.
    if (collapsed && digest && job.data.digest !== digest) await job.updateData({ ...job.data, digest, tries: 0 });
    return { jobId: job.id ?? jobId, collapsed };
  }

  async close(): Promise<void> {
    await Promise.all([this.sync.close(), this.resync.close()]);
  }
}

/** The sync interval of a source: its spec.scanInterval, else the default. */
export function intervalOf(scanInterval: string | undefined, defaultMs: number): number {
  if (!scanInterval) return defaultMs;
  try {
    const ms = parseDuration(scanInterval);
    return ms >= 1_000 ? ms : defaultMs;
  } catch {
    return defaultMs;
  }
}

/** A stable offset in [0, every) from the source's name, so many sources with one interval do not fire at once. */
export function offsetOf(source: string, everyMs: number): number {
  return createHash('sha256').update(source).digest().readUInt32BE(0) % everyMs;
}
