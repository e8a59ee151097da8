// The cross-cutting layers of the request pipeline (auth lives in ../auth/auth-layer.ts).
import { finished } from 'node:stream';
import { type RegistryRetryMessage, retryChannel } from '../diagnostics.ts';
import { RegistryError, RegistryUnavailableError } from '../errors.ts';
import { BoundedMap } from '../bounded-map.ts';
import { HostLimiter, QueueFullError } from './host-limiter.ts';
import { requestFields } from './response-error.ts';
import { decideRetry, parseRetryAfter, type RetryPolicy, sleep } from '@modsync/runtime/backoff';
import type { Layer, RegistryResponse } from './types.ts';

export interface LimitOptions {
  readonly maxConcurrentPerHost: number;
  readonly maxQueuedPerHost: number;
  readonly requestsPerSecondPerHost: number;
  readonly burstPerHost: number;
  readonly maxHosts: number;
}

/** Per-origin concurrency and rate budget around each attempt; a streamed body holds its slot until it closes. */
export function limitLayer(options: LimitOptions): { layer: Layer; limiters: BoundedMap<string, HostLimiter> } {
  const limiters = new BoundedMap<string, HostLimiter>(options.maxHosts, { canEvict: (l) => l.idle });
  const limiterFor = (origin: string) => {
    let limiter = limiters.get(origin);
    if (limiter === undefined) {
      limiter = new HostLimiter({
        maxConcurrent: options.maxConcurrentPerHost,
        maxQueued: options.maxQueuedPerHost,
        ratePerSecond: options.requestsPerSecondPerHost,
        burst: options.burstPerHost,
      });
      limiters.set(origin, limiter);
    }
    return limiter;
  };
  const layer: Layer = (next) => async (request) => {
    const limiter = limiterFor(request.url.origin);
    let release = limiter.tryAcquire();
    try {
      release ??= await limiter.acquire(request.signal);
    } catch (err) {
      if (err instanceof QueueFullError) {
        throw new RegistryUnavailableError(`${request.method} ${request.url.href}: ${err.message}`, {
          ...requestFields(request),
          transportCode: 'MODSYNC_QUEUE_FULL',
        });
      }
      throw err;
    }
    try {
      const response = await next(request);
      if (response.stream === undefined) release();
      else finished(response.stream, () => release!());
      return response;
    } catch (err) {
      release();
      throw err;
    }
  };
  return { layer, limiters };
}

/** Bounded retries with backoff and jitter on listed statuses and transport codes; honours Retry-After. */
export function retryLayer(policy: RetryPolicy, random: () => number): Layer {
  return (next) => async (request) => {
    for (let attempt = 1; ; attempt++) {
      let response: RegistryResponse | undefined;
      let error: RegistryError | undefined;
      try {
        response = await next({ ...request, attempt });
      } catch (err) {
        if (!(err instanceof RegistryError) || err.transportCode === undefined) throw err;
        error = err;
      }
      const retryAfterMs =
        response === undefined ? undefined : parseRetryAfter(response.headers['retry-after'], Date.now());
      const decision = decideRetry(
        {
          attempt,
          statusCode: response?.statusCode,
          errorCode: error?.transportCode,
          retryAfterMs,
          remainingMs: request.deadline - performance.now(),
          random: random(),
        },
        policy,
      );
      if (!decision.retry) {
        if (error !== undefined) throw error;
        return retryAfterMs === undefined ? response! : { ...response!, retryAfterMs };
      }
      response?.stream?.destroy();
      if (retryChannel.hasSubscribers) {
        retryChannel.publish({
          registry: request.settings.host,
          op: request.op,
          method: request.method,
          url: request.url.href,
          attempt,
          delayMs: decision.delayMs,
          statusCode: response?.statusCode,
          errorCode: error?.transportCode,
        } satisfies RegistryRetryMessage);
      }
      await sleep(decision.delayMs, request.signal);
    }
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Follow redirects of GET/HEAD (blob storage); credentials are never sent to another origin. */
export function redirectLayer(maxRedirects: number): Layer {
  return (next) => async (request) => {
    let current = request;
    for (let hops = 0; ; hops++) {
      const response = await next(current);
      const location = response.headers.location;
      if (
        !REDIRECT_STATUSES.has(response.statusCode) ||
        (current.method !== 'GET' && current.method !== 'HEAD') ||
        typeof location !== 'string' ||
        hops >= maxRedirects
      ) {
        return response;
      }
      const url = new URL(location, current.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return response;
      current = { ...current, url, anonymous: current.anonymous === true || url.origin !== request.settings.origin };
    }
  };
}
