// The one backoff of the repository (docs/architecture.md "Retries"): every retry loop (registry and Kubernetes API
// requests, event redelivery, the applier's work queue, the informer, Redis reconnects) waits backoffDelayMs, and
// sleeps with sleep. The HTTP retry decision is a pure function over explicit settings: from status or transport error
// code, attempt number, Retry-After and the time left; never decided from message text. No imports: the registry
// client and the Kubernetes client load this file alone (`@modsync/runtime/backoff`).

/**
 * The delay after failed attempt number `attempt` (1-based): `baseMs · 2^(attempt-1)`, capped at `maxMs`, with "equal
 * jitter" (half fixed, half random) so that clients retrying the same failure do not move in lockstep. `random` is in
 * [0, 1).
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (random * exponential) / 2);
}

/** Resolves after `ms`; rejects with `signal.reason` when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails with RegistryRateLimitedError at once. */
  readonly maxRetryAfterMs: number;
  readonly statusCodes: ReadonlySet<number>;
  readonly errorCodes: ReadonlySet<string>;
}

export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** Transport failures worth another attempt: resets, refusals, DNS hiccups and timeouts (not TLS failures). */
export const DEFAULT_RETRY_ERROR_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'MODSYNC_ATTEMPT_TIMEOUT',
];

export interface RetryInput {
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  readonly statusCode?: number | undefined;
  readonly errorCode?: string | undefined;
  /** Parsed Retry-After of the response, when it had one. */
  readonly retryAfterMs?: number | undefined;
  /** Time left before the operation's deadline. */
  readonly remainingMs: number;
  /** A number in [0, 1) for jitter. */
  readonly random: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | {
      readonly retry: false;
      readonly reason: 'not-retryable' | 'attempts-exhausted' | 'retry-after-too-long' | 'deadline';
    };

/** Exponential backoff with "equal jitter" (half fixed, half random), capped; Retry-After wins on 429/503. */
export function decideRetry(input: RetryInput, policy: RetryPolicy): RetryDecision {
  const retryable =
    input.statusCode !== undefined
      ? policy.statusCodes.has(input.statusCode)
      : input.errorCode !== undefined && policy.errorCodes.has(input.errorCode);
  if (!retryable) return { retry: false, reason: 'not-retryable' };
  if (input.attempt > policy.maxRetries) return { retry: false, reason: 'attempts-exhausted' };
  let delayMs: number;
  if (input.retryAfterMs !== undefined && (input.statusCode === 429 || input.statusCode === 503)) {
    if (input.retryAfterMs > policy.maxRetryAfterMs) return { retry: false, reason: 'retry-after-too-long' };
    delayMs = input.retryAfterMs;
  } else {
    delayMs = backoffDelayMs(input.attempt, policy.baseDelayMs, policy.maxDelayMs, input.random);
  }
  if (delayMs >= input.remainingMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}

/** `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date (past dates → 0); undefined if unparsable. */
export function parseRetryAfter(header: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const value = (typeof header === 'string' ? header : header?.[0])?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
