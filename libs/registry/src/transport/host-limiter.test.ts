import { describe, expect, it } from 'vitest';
import { HostLimiter, QueueFullError } from './host-limiter.ts';
import { sleep } from '@modsync/runtime/backoff';

describe('HostLimiter', () => {
  it('never runs more than maxConcurrent at once, in FIFO order', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 2, maxQueued: 100 });
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
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 1 });
    const first = await limiter.acquire();
    const second = limiter.acquire();
    await expect(limiter.acquire()).rejects.toBeInstanceOf(QueueFullError);
    first();
    (await second)();
    expect(limiter.idle).toBe(true);
  });

  it('removes an aborted waiter and rejects with the signal reason', async () => {
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 10 });
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
    const limiter = new HostLimiter({ maxConcurrent: 1, maxQueued: 10 });
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.active).toBe(0);
  });
});
