import { backoffDelayMs } from '@modsync/runtime/backoff';

/** What one run of a key asks for next. */
interface RunResult {
  /** Run the key again after this long (a Pending release's recheck, a window opening). */
  requeueAfterMs?: number | undefined;
}

export interface WorkQueueOptions {
  /** Reconciles one key; throws to be retried with backoff. */
  worker: (key: string) => Promise<RunResult | undefined>;
  /** Keys run at once (one key never runs twice at once). @defaultValue 4 */
  concurrency?: number;
  /** First retry delay after a failure; doubles per failure, with jitter. @defaultValue 500 */
  retryBaseMs?: number;
  /** Retry delay cap. @defaultValue 30000 */
  retryMaxMs?: number;
  /** Errors that mean "decided on a stale copy": retried at once, waiters keep waiting. @defaultValue never */
  isConflict?: (err: unknown) => boolean;
  /** Called with every failed run. */
  onError?: (key: string, err: unknown) => void;
  /** Start paused: keys are queued but nothing runs until `resume()` (e.g. until the caches are filled). @defaultValue false */
  paused?: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface KeyState {
  queued: boolean;
  running: boolean;
  /** Added again while running: run once more afterwards. */
  dirty: boolean;
  /** Wait for the next run that starts after they were added. */
  next: Waiter[];
  /** Wait for the run in progress (they were added before it started). */
  current: Waiter[];
  failures: number;
  timer?: NodeJS.Timeout | undefined;
  timerAt?: number | undefined;
}

/**
 * A keyed work queue as client-go's: a key is queued at most once, never runs twice at once, and a key added while
 * it runs runs once more afterwards (so the last change is always seen). `add` resolves when a run that started after
 * it finished successfully: a caller (an event handler) can ack once its change is applied.
 */
export class WorkQueue {
  private readonly options: Required<Omit<WorkQueueOptions, 'onError' | 'isConflict'>> & WorkQueueOptions;
  private readonly states = new Map<string, KeyState>();
  private readonly order: string[] = [];
  private active = 0;
  private stopped = false;
  private paused: boolean;
  private idleWaiters: (() => void)[] = [];
  /** stop() waiting for the runs in progress to end. */
  private drainWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions) {
    this.options = { concurrency: 4, retryBaseMs: 500, retryMaxMs: 30_000, paused: false, ...options };
    this.paused = this.options.paused;
    if (!Number.isInteger(this.options.concurrency) || this.options.concurrency < 1)
      throw new TypeError('WorkQueueOptions.concurrency must be a positive integer');
  }

  private state(key: string): KeyState {
    let state = this.states.get(key);
    if (!state) {
      state = { queued: false, running: false, dirty: false, next: [], current: [], failures: 0 };
      this.states.set(key, state);
    }
    return state;
  }

  /** Queues `key`; resolves after a run that started after this call succeeded, rejects if that run failed. */
  add(key: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const state = this.state(key);
    const done = new Promise<void>((resolve, reject) => state.next.push({ resolve, reject }));
    // Callers that do not wait must not see an unhandled rejection.
    done.catch(() => undefined);
    this.enqueue(key, state);
    return done;
  }

  /** Queues `key` after `delayMs`; an earlier pending timer wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const state = this.state(key);
    const at = Date.now() + Math.max(0, delayMs);
    if (state.timer && state.timerAt !== undefined && state.timerAt <= at) return;
    if (state.timer) clearTimeout(state.timer);
    state.timerAt = at;
    state.timer = setTimeout(
      () => {
        state.timer = undefined;
        state.timerAt = undefined;
        void this.add(key);
      },
      Math.max(0, delayMs),
    );
    state.timer.unref();
  }

  private enqueue(key: string, state: KeyState): void {
    if (state.running) {
      state.dirty = true;
      return;
    }
    if (!state.queued) {
      state.queued = true;
      this.order.push(key);
    }
    this.pump();
  }

  /** Starts running queued keys. */
  resume(): void {
    this.paused = false;
    this.pump();
  }

  private pump(): void {
    if (this.paused) return;
    while (!this.stopped && this.active < this.options.concurrency && this.order.length > 0) {
      const key = this.order.shift()!;
      const state = this.state(key);
      state.queued = false;
      void this.run(key, state);
    }
    if (this.active === 0 && this.order.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async run(key: string, state: KeyState): Promise<void> {
    this.active++;
    state.running = true;
    state.dirty = false;
    state.current.push(...state.next.splice(0));
    try {
      const result = await this.options.worker(key);
      state.failures = 0;
      for (const w of state.current.splice(0)) w.resolve();
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      this.options.onError?.(key, err);
      state.failures++;
      if (this.options.isConflict?.(err) === true && state.failures <= 5) {
        // Decided on a stale copy: the watch brings the fresh one in a moment; keep the waiters for that run.
        state.next.unshift(...state.current.splice(0));
        this.addAfter(key, 100 * state.failures);
      } else {
        for (const w of state.current.splice(0)) w.reject(err);
        this.addAfter(
          key,
          backoffDelayMs(state.failures, this.options.retryBaseMs, this.options.retryMaxMs, Math.random()),
        );
      }
    } finally {
      state.running = false;
      this.active--;
      if (this.active === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
      if (state.dirty || (state.next.length > 0 && !state.timer)) this.enqueue(key, state);
      else if (!state.timer && state.next.length === 0 && state.current.length === 0) this.states.delete(key);
      this.pump();
    }
  }

  /** Resolves when nothing is queued or running (timers aside). */
  idle(): Promise<void> {
    if (this.active === 0 && this.order.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops starting runs and cancels timers; waits for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
    this.order.length = 0;
    if (this.active > 0) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    for (const state of this.states.values()) for (const w of [...state.next, ...state.current]) w.resolve();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
