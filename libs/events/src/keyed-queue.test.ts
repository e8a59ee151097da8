import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time, in order', async () => {
    const queue = new KeyedQueue(4);
    const log: string[] = [];
    const first = deferred();
    queue.push('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    queue.push('a', async () => {
      log.push('a2');
    });
    queue.push('b', async () => {
      log.push('b1');
    });
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a1 start', 'b1']);
    first.resolve();
    await queue.onIdle();
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(queue.size).toBe(0);
  });

  it('runs at most `concurrency` tasks at once', async () => {
    const queue = new KeyedQueue(2);
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 10; i += 1) {
      queue.push(`k${i}`, async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running -= 1;
      });
    }
    expect(queue.size).toBe(10);
    await queue.onIdle();
    expect(peak).toBe(2);
  });

  it('keeps going after a task throws', async () => {
    const queue = new KeyedQueue(1);
    const log: string[] = [];
    queue.push('a', async () => {
      throw new Error('boom');
    });
    queue.push('a', async () => {
      log.push('after');
    });
    await queue.onIdle();
    expect(log).toEqual(['after']);
  });

  it('waitForSizeBelow resolves once the queue has room', async () => {
    const queue = new KeyedQueue(1);
    const gate = deferred();
    queue.push('a', () => gate.promise);
    queue.push('b', async () => undefined);
    let resolved = false;
    const waiting = queue.waitForSizeBelow(2).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    gate.resolve();
    await waiting;
    expect(queue.size).toBeLessThan(2);
    await queue.onIdle();
  });

  it('idle() gives the slot back but keeps the key', async () => {
    const queue = new KeyedQueue(1);
    const log: string[] = [];
    const backoff = deferred();
    queue.push('a', async (control) => {
      log.push('a1 failed');
      await control.idle(backoff.promise);
      log.push('a1 retried');
    });
    queue.push('a', async () => void log.push('a2'));
    queue.push('b', async () => void log.push('b1'));
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['a1 failed', 'b1']);
    backoff.resolve();
    await queue.onIdle();
    expect(log).toEqual(['a1 failed', 'b1', 'a1 retried', 'a2']);
  });
});
