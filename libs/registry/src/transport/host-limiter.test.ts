import { describe, expect, it } from 'vitest';
import { HostLimiter, QueueFullError } from './host-limiter.ts';
import { sleep } from '@modsync/runtime/backoff';

describe('HostLimiter', () => {
  it('never runs more than maxConcurrent at once, in FIFO order', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 2, maxQueued: 100, ratePerSecond: Infinity, burst: 1 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const release = await limiter.acquire();
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
        release();
      }),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(limiter.idle).toBe(true);
  });

  it('rejects when the queue is full', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 1, ratePerSecond: Infinity, burst: 1 });
    const first = await limiter.acquire();
    const second = limiter.acquire();
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError);
    first();
    (await second)();
    expect(limiter.idle).toBe(true);
  });

  it('removes an aborted waiter and rejects with the signal reason', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 10, ratePerSecond: Infinity, burst: 1 });
    const first = await limiter.acquire();
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    expect(limiter.queued).toBe(1);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.queued).toBe(0);
    first();
    expect(limiter.idle).toBe(true);
  });

  it('release is idempotent', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 10, ratePerSecond: Infinity, burst: 1 });
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.active).toBe(0);
  });

  it('spaces requests by the rate after the burst (GCRA)', async () => {
    let now = 0;
    const limiter = new HostLimiter({ maxConcurrent: 100, maxQueued: 100, ratePerSecond: 10, burst: 3, now: () => now });
    const started: number[] = [];
    const runs = Array.from({ length: 5 }, async () => {
      const release = await limiter.acquire();
      started.push(now);
      release();
    });
    // The first three pass at once; the fourth and fifth wait 100 ms and 200 ms of (real) time.
    await sleep(0);
    expect(started).toEqual([0, 0, 0]);
    now = 250;
    await Promise.all(runs);
    expect(started).toHaveLength(5);
  });

  it('measures real waits under the rate budget', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 100, maxQueued: 100, ratePerSecond: 50, burst: 1 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 5 }, async () => (await limiter.acquire())()));
    // 5 requests at 50/s with no burst: the last one starts ~80 ms after the first.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(70);
  });
});
