// Per-origin admission: a FIFO semaphore (requests in flight), one per origin per client, shared by every caller of
// the client. The request-rate budget is ./budget.ts.

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
}

export class HostLimiter {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  #active = 0;
  #queue: Waiter[] = [];
  #head = 0;

  constructor(options: HostLimiterOptions) {
    this.#maxConcurrent = options.maxConcurrent;
    this.#maxQueued = options.maxQueued;
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

  /** A slot available right now, without waiting: the release function, or undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.#active >= this.#maxConcurrent || this.queued > 0) return undefined;
    this.#active++;
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
   * Wait for a slot; returns the release function (idempotent).
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
    return this.#releaser();
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
}
