import { describe, expect, it } from 'vitest';
import { dueAt, type WorkerActivity, type WorkerObservation, workerIdle, workerStuck } from './worker-watchdog.ts';

describe('workerStuck', () => {
  const now = 100_000;
  const grace = 30_000;
  it.each<[string, WorkerObservation, boolean]>([
    ['nothing queued', { running: 0, lastProgressAt: 0, oldestDueAt: undefined }, false],
    ['a job due within the grace', { running: 0, lastProgressAt: 0, oldestDueAt: 75_000 }, false],
    [
      'a job overdue past the grace, the worker idle as long',
      { running: 0, lastProgressAt: 60_000, oldestDueAt: 65_000 },
      true,
    ],
    [
      'overdue, but the worker finished a job within the grace',
      { running: 0, lastProgressAt: 80_000, oldestDueAt: 10_000 },
      false,
    ],
    ['overdue, but the worker runs a (long) job', { running: 1, lastProgressAt: 0, oldestDueAt: 10_000 }, false],
    ['a job not due yet', { running: 0, lastProgressAt: 0, oldestDueAt: 130_000 }, false],
  ])('%s', (_name, observation, stuck) => {
    expect(workerStuck(observation, now, grace)).toBe(stuck);
  });
});

describe('workerIdle', () => {
  it.each<[string, WorkerActivity, boolean]>([
    ['running a job', { running: 1, lastProgressAt: 0 }, false],
    ['running nothing, last progress within the grace', { running: 0, lastProgressAt: 80_000 }, false],
    ['running nothing, last progress past the grace', { running: 0, lastProgressAt: 60_000 }, true],
  ])('%s', (_name, activity, idle) => {
    expect(workerIdle(activity, 100_000, 30_000)).toBe(idle);
  });
});

describe('dueAt', () => {
  it.each([
    ['a job added to run now', { timestamp: 5_000 }, 5_000],
    ["a scheduler's next run", { timestamp: 5_000, delay: 180_000 }, 185_000],
    ['no delay given', { timestamp: 5_000, delay: undefined }, 5_000],
  ])('%s', (_name, job, due) => {
    expect(dueAt(job)).toBe(due);
  });
});
