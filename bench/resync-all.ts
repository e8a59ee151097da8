// Resyncs many sources at once through one replica's HTTP API and times it until every job has completed, as BullMQ
// reports it on the resync queue's event stream (Redis), whichever replica ran the job.
import { mapLimit } from '@modsync/runtime';
import { resyncJobId, type SyncReport } from '@modsync/syncer';
import type { QueueEvents } from 'bullmq';
import type { SyncerProcess } from './syncer-process.ts';

export interface ResyncAllResult {
  seconds: number;
  reports: SyncReport[];
}

export async function resyncAll(
  via: SyncerProcess,
  names: readonly string[],
  events: QueueEvents,
  timeoutMs: number,
): Promise<ResyncAllResult> {
  const pending = new Set(names.map(resyncJobId));
  const reports: SyncReport[] = [];
  let onCompleted!: (args: { jobId: string; returnvalue: unknown }) => void;
  let onFailed!: (args: { jobId: string; failedReason: string }) => void;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`resync of ${names.length} sources: ${pending.size} jobs not completed within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    onCompleted = ({ jobId, returnvalue }) => {
      if (!pending.delete(jobId)) return;
      const report = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as SyncReport;
      reports.push(report);
      if (pending.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    onFailed = ({ jobId, failedReason }) => {
      if (!pending.has(jobId)) return;
      clearTimeout(timer);
      reject(new Error(`resync job ${jobId} failed: ${failedReason}`));
    };
  });
  events.on('completed', onCompleted);
  events.on('failed', onFailed);
  try {
    const started = performance.now();
    // All at once (bounded: one request per source).
    await mapLimit(names, names.length, (name) => via.resync(name));
    await done;
    const seconds = (performance.now() - started) / 1000;
    const bad = reports.filter((r) => r.outcome !== 'Synced');
    if (bad.length > 0) throw new Error(`resync: ${bad.length} syncs did not succeed, e.g. ${JSON.stringify(bad[0])}`);
    return { seconds, reports };
  } finally {
    events.off('completed', onCompleted);
    events.off('failed', onFailed);
  }
}
