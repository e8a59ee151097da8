// The per-attempt part of the transport as undici interceptors, composed on each Agent (undici's `compose`):
//   retry (undici's `interceptors.retry`, deciding with our pure decideRetry) → circuit breaker → per-host
//   concurrency → request budget → attempt
// so every attempt, retries included, is admitted by the breaker, the limiter and the budget, bounded by its own
// timer and counted.
import type { IncomingHttpHeaders } from 'node:http';
import { type Dispatcher, interceptors, type RetryHandler } from 'undici';
import {
  circuitChannel,
  type RegistryCircuitMessage,
  type RegistryOp,
  type RegistryRetryMessage,
  type RequestOutcome,
  requestChannel,
  retryChannel,
} from '../diagnostics.ts';
import { RegistryCircuitOpenError, RegistryError, RegistryUnavailableError } from '../errors.ts';
import { BoundedMap } from '../bounded-map.ts';
import {
  admit,
  type BreakerOutcome,
  type BreakerPolicy,
  type BreakerState,
  CLOSED,
  record,
  statusOutcome,
} from './breaker.ts';
import type { RequestBudget } from './budget.ts';
import { HostLimiter, QueueFullError } from './host-limiter.ts';
import { decideRetry, parseRetryAfter, type RetryPolicy } from '@modsync/runtime/backoff';

/** What the interceptors know of the call an attempt belongs to; one object shared by all its attempts. */
export interface RegistryCall {
  readonly registry: string;
  readonly op: RegistryOp;
  readonly method: string;
  readonly url: string;
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  /** `performance.now()` after which no new attempt starts. */
  readonly deadline: number;
  /** A streamed 2xx body is not covered by the attempt timer (bodyTimeout bounds its pauses). */
  readonly stream: boolean;
  readonly signal: AbortSignal | undefined;
  /** Attempts started so far. */
  attempts: number;
  /** Set once the response reached the caller: a later failure (mid-body) is the caller's, not retried. */
  delivered: boolean;
}

export interface RegistryDispatchOptions extends Dispatcher.DispatchOptions {
  readonly registryCall: RegistryCall;
  readonly retryOptions?: RetryHandler.RetryOptions;
}

/** Our own per-attempt timer fired: no complete response (or, for a HEAD or a stream, no headers) in time. */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
  readonly code = 'MODSYNC_ATTEMPT_TIMEOUT';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

function callOf(opts: Dispatcher.DispatchOptions): RegistryCall {
  return (opts as RegistryDispatchOptions).registryCall;
}

export function errorCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

export interface AttemptInterceptorOptions {
  readonly requestTimeoutMs: number;
  /** Classify a transport failure for the request counter. */
  readonly outcomeOf: (err: unknown) => RequestOutcome;
}

/**
 * Innermost: one exchange. A timer of its own bounds it (undici's headersTimeout only has about 1 s granularity): the
 * whole exchange for a buffered 2xx, the headers otherwise. Each attempt is published on the request channel.
 */
export function attemptInterceptor(options: AttemptInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const call = callOf(opts);
    call.attempts++;
    const attempt = call.attempts;
    const started = performance.now();
    const timeoutMs = Math.max(1, Math.min(options.requestTimeoutMs, Math.ceil(call.deadline - started)));
    let published = false;
    const publish = (outcome: RequestOutcome, statusCode?: number, errorCode?: string) => {
      if (published) return;
      published = true;
      if (!requestChannel.hasSubscribers) return;
      requestChannel.publish({
        registry: call.registry,
        op: call.op,
        method: call.method,
        url: call.url,
        repository: call.repository,
        attempt,
        outcome,
        statusCode,
        errorCode,
        durationMs: performance.now() - started,
      });
    };
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let timedOut: AttemptTimeoutError | undefined;
    const onTimeout = () => {
      timedOut = new AttemptTimeoutError(timeoutMs);
      if (controller !== undefined) fail(timedOut);
    };
    // A HEAD has no body: undici's headersTimeout bounds the whole exchange, so no timer of our own.
    let timer = call.method === 'HEAD' ? undefined : setTimeout(onTimeout, timeoutMs);
    const stopTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    // Deliver the timeout upstream before aborting, so the retry handler sees a failed (not an aborted) attempt.
    const fail = (err: AttemptTimeoutError) => {
      settled = true;
      publish('timeout', undefined, err.code);
      handler.onResponseError?.(controller!, err);
      controller!.abort(err);
    };
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart(c, context) {
        controller = c;
        handler.onRequestStart?.(c, context);
        if (timedOut !== undefined && !settled) fail(timedOut);
      },
      onRequestUpgrade(c, statusCode, headers, socket) {
        handler.onRequestUpgrade?.(c, statusCode, headers, socket);
      },
      onResponseStart(c, statusCode, headers, statusMessage) {
        if (settled) return;
        publish('response', statusCode);
        if (statusCode < 200 || statusCode >= 300 || call.stream) stopTimer();
        handler.onResponseStart?.(c, statusCode, headers, statusMessage);
      },
      onResponseData(c, chunk) {
        if (!settled) handler.onResponseData?.(c, chunk);
      },
      onResponseEnd(c, trailers) {
        stopTimer();
        if (settled) return;
        settled = true;
        handler.onResponseEnd?.(c, trailers);
      },
      onResponseError(c, err) {
        stopTimer();
        if (settled) return;
        settled = true;
        if (call.signal?.aborted === true) publish('aborted');
        else publish(options.outcomeOf(err), undefined, errorCodeOf(err));
        handler.onResponseError?.(c, err);
      },
      onBodySent(chunk) {
        handler.onBodySent?.(chunk);
      },
      onRequestSent() {
        handler.onRequestSent?.();
      },
    };
    return dispatch({ ...opts, headersTimeout: timeoutMs }, wrapped);
  };
}

export interface LimitOptions {
  readonly maxConcurrentPerHost: number;
  readonly maxQueuedPerHost: number;
  readonly maxHosts: number;
}

/** A DispatchController for an attempt that failed before it reached undici (nothing to pause or abort). */
const NOT_STARTED: Dispatcher.DispatchController = {
  aborted: false,
  paused: false,
  reason: null,
  abort() {},
  pause() {},
  resume() {},
};

/**
 * Per-origin concurrency and rate budget around each attempt; the slot is held until the response ends (a streamed
 * body holds it until it is read or destroyed).
 */
export function limitInterceptor(options: LimitOptions): {
  interceptor: Dispatcher.DispatcherComposeInterceptor;
  limiters: BoundedMap<string, HostLimiter>;
} {
  // The limiter of an origin is kept while requests use or wait for it.
  const limiters = new BoundedMap<string, HostLimiter>(options.maxHosts, { canEvict: (l) => l.idle });
  const limiterFor = (origin: string) => {
    let limiter = limiters.get(origin);
    if (limiter === undefined) {
      limiter = new HostLimiter({
        maxConcurrent: options.maxConcurrentPerHost,
        maxQueued: options.maxQueuedPerHost,
      });
      limiters.set(origin, limiter);
    }
    return limiter;
  };
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    const call = callOf(opts);
    const limiter = limiterFor(String(opts.origin));
    const send = (release: () => void) => {
      const wrapped: Dispatcher.DispatchHandler = {
        onRequestStart: (c, context) => handler.onRequestStart?.(c, context),
        onRequestUpgrade: (c, statusCode, headers, socket) =>
          handler.onRequestUpgrade?.(c, statusCode, headers, socket),
        onResponseStart: (c, statusCode, headers, statusMessage) =>
          handler.onResponseStart?.(c, statusCode, headers, statusMessage),
        onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
        onResponseEnd: (c, trailers) => {
          release();
          handler.onResponseEnd?.(c, trailers);
        },
        onResponseError: (c, err) => {
          release();
          handler.onResponseError?.(c, err);
        },
        onBodySent: (chunk) => handler.onBodySent?.(chunk),
        onRequestSent: () => handler.onRequestSent?.(),
      };
      try {
        return dispatch(opts, wrapped);
      } catch (err) {
        release();
        throw err;
      }
    };
    const now = limiter.tryAcquire();
    if (now !== undefined) return send(now);
    limiter.acquire(call.signal).then(
      (release) => send(release),
      (err: unknown) => {
        const error =
          err instanceof QueueFullError
            ? new RegistryUnavailableError(`${call.method} ${call.url}: ${err.message}`, {
                registry: call.registry,
                repository: call.repository,
                reference: call.reference,
                method: call.method,
                url: call.url,
                transportCode: 'MODSYNC_QUEUE_FULL',
              })
            : (err as Error);
        handler.onResponseError?.(NOT_STARTED, error);
      },
    );
    return true;
  };
  return { interceptor, limiters };
}

/**
 * undici's retry interceptor with our policy: bounded retries with backoff and jitter on listed statuses and transport
 * codes, Retry-After honoured, never past the call's deadline. A final error response passes through with its body
 * (`throwOnError: false`) so the typed error carries the registry's own message.
 */
export function retryInterceptor(policy: RetryPolicy, random: () => number): Dispatcher.DispatcherComposeInterceptor {
  const retry: RetryHandler.RetryCallback = (err, { state, opts }, callback) => {
    const call = callOf(opts);
    const failure = err as Error & { statusCode?: number; headers?: IncomingHttpHeaders };
    const statusCode = typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
    const errorCode = statusCode === undefined ? errorCodeOf(err) : undefined;
    const retryAfterMs =
      statusCode === undefined ? undefined : parseRetryAfter(failure.headers?.['retry-after'], Date.now());
    const decision = call.delivered
      ? { retry: false as const }
      : decideRetry(
          {
            attempt: state.counter,
            statusCode,
            errorCode,
            retryAfterMs,
            remainingMs: call.deadline - performance.now(),
            random: random(),
          },
          policy,
        );
    if (!decision.retry) {
      callback(err);
      return;
    }
    if (retryChannel.hasSubscribers) {
      retryChannel.publish({
        registry: call.registry,
        op: call.op,
        method: call.method,
        url: call.url,
        attempt: state.counter,
        delayMs: decision.delayMs,
        statusCode,
        errorCode,
      } satisfies RegistryRetryMessage);
    }
    // Returned so that an abort during the wait cancels it.
    return setTimeout(() => callback(null), decision.delayMs);
  };
  // The policy decides everything: undici's own statusCodes/methods/maxRetries only feed its default `retry`.
  return interceptors.retry({ retry, throwOnError: false });
}

function hostOf(origin: Dispatcher.DispatchOptions['origin']): string {
  return new URL(String(origin)).host;
}

/** Spend one request of the host's budget (./budget.ts) before each attempt. */
export function budgetInterceptor(budget: RequestBudget): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const call = callOf(opts);
    budget.take(hostOf(opts.origin), call.signal).then(
      () => dispatch(opts, handler),
      (err: unknown) => handler.onResponseError?.(NOT_STARTED, err as Error),
    );
    return true;
  };
}

function failureOf(err: unknown): string {
  return errorCodeOf(err) ?? (err instanceof Error ? err.message : String(err));
}

/** Breaker states by key (a host, or `host/repository`), each change published on the circuit channel. */
class BreakerTable {
  readonly #states: BoundedMap<string, BreakerState>;
  readonly #policy: BreakerPolicy;
  readonly #now: () => number;
  readonly #publish: (key: string, before: BreakerState, after: BreakerState) => void;

  constructor(
    policy: BreakerPolicy,
    max: number,
    now: () => number,
    publish: (key: string, before: BreakerState, after: BreakerState) => void,
  ) {
    this.#states = new BoundedMap(max, { canEvict: (s) => s.kind === 'closed' });
    this.#policy = policy;
    this.#now = now;
    this.#publish = publish;
  }

  state(key: string): BreakerState {
    return this.#states.get(key) ?? CLOSED;
  }

  admit(key: string): boolean {
    const decision = admit(this.state(key), this.#now());
    this.#set(key, decision.state);
    return decision.allowed;
  }

  record(key: string, outcome: BreakerOutcome): void {
    this.#set(key, record(this.state(key), outcome, this.#now(), this.#policy));
  }

  #set(key: string, after: BreakerState): void {
    const before = this.state(key);
    if (after === before) return;
    if (after === CLOSED) this.#states.delete(key);
    else this.#states.set(key, after);
    this.#publish(key, before, after);
  }
}

/** Repositories whose breaker is not closed, at most (beyond it, the least recently used closed ones are forgotten). */
const MAX_REPOSITORY_BREAKERS = 4_096;
const IGNORED: BreakerOutcome = { kind: 'ignored' };

/**
 * Circuit breakers (./breaker.ts) per registry host and per repository on it. A repository whose requests keep
 * failing is paused alone: the other modules on its host go on. The host's breaker opens only when its requests keep
 * failing and none succeeded for a whole pause (`aliveWindowMs` = openMs): the host itself is down or refusing. While
 * a breaker is open, attempts fail at once with RegistryCircuitOpenError instead of reaching the host. State changes
 * are published on the circuit channel.
 */
export function breakerInterceptor(
  policy: BreakerPolicy & { readonly maxHosts: number },
  now: () => number = Date.now,
): Dispatcher.DispatcherComposeInterceptor {
  const publish =
    (registryOf: (key: string) => string, repositoryOf: (key: string) => string | undefined) =>
    (key: string, before: BreakerState, after: BreakerState) => {
      if (before.kind === after.kind || !circuitChannel.hasSubscribers) return;
      circuitChannel.publish({
        registry: registryOf(key),
        repository: repositoryOf(key),
        state: after.kind,
        until: after.kind === 'open' ? after.until : undefined,
        lastFailure: after.lastFailure,
      } satisfies RegistryCircuitMessage);
    };
  const { maxHosts, ...breakerPolicy } = policy;
  const hosts = new BreakerTable(
    { ...breakerPolicy, aliveWindowMs: policy.openMs },
    maxHosts,
    now,
    publish(
      (key) => key,
      () => undefined,
    ),
  );
  const repositories = new BreakerTable(
    breakerPolicy,
    MAX_REPOSITORY_BREAKERS,
    now,
    publish(
      (key) => key.slice(0, key.indexOf('/')),
      (key) => key.slice(key.indexOf('/') + 1),
    ),
  );
  return (dispatch) => (opts, handler) => {
    const call = callOf(opts);
    const host = hostOf(opts.origin);
    const repositoryKey = call.repository === undefined ? undefined : `${host}/${call.repository}`;
    const refuse = (what: string, state: BreakerState) => {
      const until = state.kind === 'open' ? state.until : now();
      const last = state.kind === 'closed' ? undefined : state.lastFailure;
      const error = new RegistryCircuitOpenError(
        `${call.method} ${call.url}: ${what} paused until ${new Date(until).toISOString()} after repeated failures (last: ${last})`,
        {
          registry: call.registry,
          repository: call.repository,
          reference: call.reference,
          method: call.method,
          url: call.url,
          until,
        },
      );
      handler.onResponseError?.(NOT_STARTED, error);
      return true;
    };
    // The host first: when both are open, the host being down is the news.
    if (!hosts.admit(host)) return refuse(`registry ${host}`, hosts.state(host));
    if (repositoryKey !== undefined && !repositories.admit(repositoryKey)) {
      // Not sent after all: a probe the host just let through is free for the next attempt.
      hosts.record(host, IGNORED);
      return refuse(`repository ${repositoryKey}`, repositories.state(repositoryKey));
    }
    let judged = false;
    const judge = (outcome: BreakerOutcome) => {
      if (judged) return;
      judged = true;
      hosts.record(host, outcome);
      if (repositoryKey !== undefined) repositories.record(repositoryKey, outcome);
    };
    return dispatch(opts, {
      onRequestStart: (c, context) => handler.onRequestStart?.(c, context),
      onRequestUpgrade: (c, statusCode, headers, socket) => handler.onRequestUpgrade?.(c, statusCode, headers, socket),
      onResponseStart: (c, statusCode, headers, statusMessage) => {
        judge(statusOutcome(statusCode));
        handler.onResponseStart?.(c, statusCode, headers, statusMessage);
      },
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, trailers) => handler.onResponseEnd?.(c, trailers),
      onResponseError: (c, err) => {
        // Our own refusals (queue full) and the caller's abort say nothing about the host.
        const ours = err instanceof RegistryError || call.signal?.aborted === true;
        judge(ours ? { kind: 'ignored' } : { kind: 'failure', what: failureOf(err) });
        handler.onResponseError?.(c, err);
      },
      onBodySent: (chunk) => handler.onBodySent?.(chunk),
      onRequestSent: () => handler.onRequestSent?.(),
    });
  };
}
