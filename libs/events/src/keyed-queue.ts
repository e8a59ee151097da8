// Runs tasks with at most `concurrency` at once, while tasks that share a key run one at a time in the order pushed:
// events of one (source, module) are handled in stream order even when handlers run in parallel. A task that waits
// (a retry backoff) gives its slot back meanwhile but keeps its key: later events of that module wait, others run.

/** What a running task may do besides running. */
export interface TaskControl {
  /** Awaits `promise` without holding a concurrency slot (the key stays held), then takes a slot again. */
  idle<T>(promise: Promise<T>): Promise<T>;
}

type Task = (control: TaskControl) => Promise<void>;

export class KeyedQueue {
  readonly #concurrency: number;
  readonly #control: TaskControl = {
    idle: async <T>(promise: Promise<T>): Promise<T> => {
      this.#release();
      try {
        return await promise;
      } finally {
        await this.#acquire();
      }
    },
  };
  readonly #tails = new Map<string, Promise<void>>();
  readonly #slotWaiters: Array<() => void> = [];
  readonly #sizeWaiters: Array<{ below: number; resolve: () => void }> = [];
  #running = 0;
  #size = 0;

  constructor(concurrency: number) {
    this.#concurrency = concurrency;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.#size;
  }

  /** Queues `task` behind earlier tasks of `key`. A task's rejection is swallowed: tasks handle their own errors. */
  push(key: string, task: Task): void {
    this.#size += 1;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const tail: Promise<void> = previous
      .then(() => this.#acquire())
      .then(async () => {
        try {
          await task(this.#control);
        } catch {
          // tasks report their own failures
        } finally {
          this.#release();
        }
      })
      .finally(() => {
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
        this.#size -= 1;
        this.#notifySize();
      });
    this.#tails.set(key, tail);
  }

  /** Resolves once fewer than `below` tasks are queued or running (at once if so already). */
  waitForSizeBelow(below: number): Promise<void> {
    if (this.#size < below) return Promise.resolve();
    return new Promise((resolve) => this.#sizeWaiters.push({ below, resolve }));
  }

  /** Resolves once every task pushed so far has finished. */
  onIdle(): Promise<void> {
    return this.waitForSizeBelow(1);
  }

  #acquire(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#slotWaiters.push(resolve));
  }

  #release(): void {
    const next = this.#slotWaiters.shift();
    if (next) next();
    else this.#running -= 1;
  }

  #notifySize(): void {
    for (let i = this.#sizeWaiters.length - 1; i >= 0; i -= 1) {
      const waiter = this.#sizeWaiters[i]!;
      if (this.#size < waiter.below) {
        this.#sizeWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
