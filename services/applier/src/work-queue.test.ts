import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('runs a key once for many adds while queued, and never twice at once', async () => {
    const runs: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const queue = new WorkQueue({
      concurrency: 4,
      paused: true,
      worker: async (key) => {
        maxInside = Math.max(maxInside, ++inside);
        runs.push(key);
        await tick();
        inside--;
      },
    });
    const adds = [queue.add('a'), queue.add('a'), queue.add('a')];
    queue.resume();
    await Promise.all(adds);
    expect(runs).toEqual(['a']);
    // Added while running: one more run afterwards, never overlapping.
    const first = queue.add('a');
    await tick(1);
    const second = queue.add('a');
    await Promise.all([first, second]);
    expect(runs).toEqual(['a', 'a', 'a']);
    expect(maxInside).toBe(1);
    await queue.stop();
  });

  it('add resolves after a run that started after it', async () => {
    let value = 0;
    let seen = -1;
    const queue = new WorkQueue({
      worker: async () => {
        await tick();
        seen = value;
      },
    });
    const first = queue.add('k');
    await tick(1);
    value = 1;
    await queue.add('k');
    expect(seen).toBe(1);
    await first;
    await queue.stop();
  });

  it('paused: nothing runs until resume', async () => {
    const runs: string[] = [];
    const queue = new WorkQueue({
      paused: true,
      worker: async (key) => {
        runs.push(key);
      },
    });
    const done = queue.add('x');
    await tick(20);
    expect(runs).toEqual([]);
    queue.resume();
    await done;
    expect(runs).toEqual(['x']);
    await queue.stop();
  });

  it('a conflict reruns at once and keeps the waiters; another error rejects them and retries with backoff', async () => {
    let calls = 0;
    const conflict = new Error('conflict');
    const queue = new WorkQueue({
      retryBaseMs: 10,
      isConflict: (err) => err === conflict,
      worker: async () => {
        calls++;
        if (calls === 1) throw conflict;
        if (calls === 2) throw new Error('boom');
      },
    });
    await expect(queue.add('k')).rejects.toThrow('boom');
    expect(calls).toBe(2);
    // Retried by itself after the backoff.
    const deadline = Date.now() + 2_000;
    while (calls < 3 && Date.now() < deadline) await tick();
    expect(calls).toBe(3);
    await queue.stop();
  });

  it('requeueAfterMs runs the key again later; the earliest timer wins', async () => {
    const times: number[] = [];
    const queue = new WorkQueue({
      worker: async () => {
        times.push(Date.now());
        return times.length === 1 ? { requeueAfterMs: 30 } : {};
      },
    });
    await queue.add('k');
    queue.addAfter('k', 5_000);
    const deadline = Date.now() + 2_000;
    while (times.length < 2 && Date.now() < deadline) await tick();
    expect(times.length).toBe(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25);
    await queue.stop();
  });
});
