// Per-origin admission: a FIFO semaphore (requests in flight) and a GCRA request-rate budget (sustained rate + burst).
// One limiter per origin per client, shared by every caller of the client.
import { sleep } from '@modsync/runtime/backoff';

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export interface HostLimiterOptions {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  /** Requests per second; Infinity = no budget. */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly now?: () => number;
}

export class HostLimiter {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #intervalMs: number;
  readonly #toleranceMs: number;
  readonly #now: () => number;
  #active = 0;
  #queue: Waiter[] = [];
  #head = 0;
  /** GCRA theoretical arrival time. */
  #tat = 0;

  constructor(options: HostLimiterOptions) {
    this.#maxConcurrent = options.maxConcurrent;
    this.#maxQueued = options.maxQueued;
    this.#intervalMs = options.ratePerSecond === Infinity ? 0 : 1000 / options.ratePerSecond;
    this.#toleranceMs = (options.burst - 1) * this.#intervalMs;
    this.#now = options.now ?? (() => performance.now());
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  get idle(): boolean {
    return this.#active === 0 && this.queued === 0;
  }

  /** A slot and budget available right now, without waiting: the release function, or undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.#active >= this.#maxConcurrent || this.queued > 0 || this.#waitMs() > 0) return undefined;
    this.#active++;
    this.#reserve();
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#next();
    };
  }

  /**
   * Wait for a slot, then for the rate budget; returns the release function (idempotent).
   * Rejects with `signal.reason` when aborted, QueueFullError when too many callers wait.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#active < this.#maxConcurrent && this.queued === 0) {
      this.#active++;
    } else {
      if (this.queued >= this.#maxQueued) throw new QueueFullError('too many requests queued for this host');
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
        if (signal !== undefined) {
          waiter.onAbort = () => {
            const i = this.#queue.indexOf(waiter, this.#head);
            if (i >= 0) this.#queue.splice(i, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        this.#queue.push(waiter);
      });
    }
    const release = this.#releaser();
    try {
      const waitMs = this.#reserve();
      if (waitMs > 0) await sleep(waitMs, signal);
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  #next(): void {
    while (this.#active < this.#maxConcurrent && this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]!;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (waiter.signal !== undefined && waiter.onAbort !== undefined) {
        waiter.signal.removeEventListener('abort', waiter.onAbort);
      }
      this.#active++;
      waiter.resolve();
    }
  }

  /** How long a request arriving now would wait for the rate budget. */
  #waitMs(): number {
    if (this.#intervalMs === 0) return 0;
    return Math.max(0, Math.max(this.#tat, this.#now()) - this.#toleranceMs - this.#now());
  }

  /** Reserve the next send time under the rate budget; returns how long to wait for it. */
  #reserve(): number {
    if (this.#intervalMs === 0) return 0;
    const now = this.#now();
    const tat = Math.max(this.#tat, now);
    const allowAt = tat - this.#toleranceMs;
    this.#tat = tat + this.#intervalMs;
    return Math.max(0, allowAt - now);
  }
}
