// The request budget per registry host, from rate-limiter-flexible: in Redis when the client is given one (every
// replica spends the same budget), else in this process. Counted in whole-second windows (Redis expiry is in seconds):
// `burst` requests per window of `burst / ratePerSecond` seconds, at least `ratePerSecond` per 1 s window.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { sleep } from '@modsync/runtime/backoff';

/** Where replicas share the budget: an ioredis client (Redis, Sentinel or Cluster) and the key prefix of this install. */
export interface SharedBudgetStore {
  /** An ioredis `Redis` or `Cluster` (rate-limiter-flexible defines its Lua command on it). */
  readonly redis: object;
  /** Keys are `{<keyPrefix>:registry-budget}:<host>`: one Cluster hash slot for all hosts. */
  readonly keyPrefix: string;
}

export interface RequestBudgetOptions {
  /** Requests per second per host; `Infinity` = no budget. */
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly store?: SharedBudgetStore | undefined;
}

/** The window of the budget: points per whole-second duration (see the file comment). */
export function budgetWindow(ratePerSecond: number, burst: number): { points: number; durationSeconds: number } {
  const durationSeconds = Math.max(1, Math.round(burst / ratePerSecond));
  return { points: Math.max(burst, Math.round(ratePerSecond * durationSeconds), 1), durationSeconds };
}

export class RequestBudget {
  readonly #limiter: RateLimiterAbstract | undefined;

  constructor(options: RequestBudgetOptions) {
    if (options.ratePerSecond === Infinity) return;
    const { points, durationSeconds } = budgetWindow(options.ratePerSecond, options.burst);
    const memory = new RateLimiterMemory({ points, duration: durationSeconds });
    // While Redis is unreachable (failover) each replica spends a budget of its own rather than stopping.
    this.#limiter =
      options.store === undefined
        ? memory
        : new RateLimiterRedis({
            storeClient: options.store.redis,
            keyPrefix: `{${options.store.keyPrefix}:registry-budget}`,
            points,
            duration: durationSeconds,
            rejectIfRedisNotReady: true,
            insuranceLimiter: memory,
          });
  }

  /** Wait until the host's budget has a request left and spend it; rejects with `signal.reason` when aborted. */
  async take(host: string, signal: AbortSignal | undefined): Promise<void> {
    const limiter = this.#limiter;
    if (limiter === undefined) return;
    for (;;) {
      signal?.throwIfAborted();
      try {
        await limiter.consume(host, 1);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await sleep(Math.max(1, rejection.msBeforeNext), signal);
      }
    }
  }
}
