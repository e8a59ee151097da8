// Whether a sync worker has stopped taking jobs: level-triggered, from what the queue holds and what the worker did,
// not from why it stopped. After a Redis Cluster failover a BullMQ worker was seen parked for good on its blocking
// connection while its queue's jobs went overdue (docs/operations.md#redis); the syncer then replaces it.

/** What the worker did, as its syncer counts it. */
export interface WorkerActivity {
  /** Jobs the worker runs now. */
  readonly running: number;
  /** When it last started or finished a job, or was made (ms since the epoch). */
  readonly lastProgressAt: number;
}

/** What is known of one worker and its queue at one moment. */
export interface WorkerObservation extends WorkerActivity {
  /** When the earliest job of its queue not yet running became due (ms since the epoch); none: undefined. */
  readonly oldestDueAt: number | undefined;
}

/**
 * True when the worker, running nothing, has done nothing for longer than `graceMs`: only then is its queue worth
 * reading (a busy worker is not stuck, whatever the queue holds).
 */
export function workerIdle(activity: WorkerActivity, now: number, graceMs: number): boolean {
  return activity.running === 0 && now - activity.lastProgressAt > graceMs;
}

/**
 * True when a job has been due for longer than `graceMs` while the worker is idle as long (workerIdle). The grace covers
 * the worker's own pauses: a blocking read of up to 10 s and 15 s before retrying after an error.
 */
export function workerStuck(observation: WorkerObservation, now: number, graceMs: number): boolean {
  if (!workerIdle(observation, now, graceMs) || observation.oldestDueAt === undefined) return false;
  return now - observation.oldestDueAt > graceMs;
}

/** When a queued job becomes due: its creation plus its delay (a scheduler's next run, a delayed retry). */
export function dueAt(job: { readonly timestamp: number; readonly delay?: number | undefined }): number {
  return job.timestamp + (job.delay ?? 0);
}
