import { describe, expect, it } from 'vitest';
import { nextRunPending } from './schedule-reconciler.ts';

describe('nextRunPending', () => {
  it.each([
    ['delayed: waiting for its time', 'delayed', true],
    ['waiting for a worker', 'waiting', true],
    ['prioritized', 'prioritized', true],
    ['running (BullMQ queues the one after it when a run starts)', 'active', true],
    ['waiting-children', 'waiting-children', true],
    ['completed: nothing queued the next one (lost in a failover)', 'completed', false],
    ['failed (stalled too often)', 'failed', false],
    ['the job is gone', 'unknown', false],
  ])('%s', (_, state, pending) => {
    expect(nextRunPending(state)).toBe(pending);
  });
});
