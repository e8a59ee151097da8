// Client options: documented defaults, validated once at construction, resolved and frozen.
import { RegistryInvalidOptionError } from './errors.ts';
import type { Platform } from './manifest/schema.ts';
import type { SharedBudgetStore } from './transport/budget.ts';

export interface RegistryClientOptions {
  /** TCP + TLS connect timeout. @defaultValue 10_000 */
  connectTimeoutMs?: number;
  /**
   * One attempt of a buffered request (manifest, tag page, token), headers and body; for a streamed blob, until its
   * headers. A HEAD is bounded by undici's headersTimeout alone (no per-request timer or signal on the hot path), whose
   * timers tick about once a second. @defaultValue 30_000
   */
  requestTimeoutMs?: number;
  /** Longest silence between two body chunks of a streamed blob. @defaultValue 30_000 */
  bodyTimeoutMs?: number;
  /** Deadline of one operation across its attempts, auth round trips and waits (DKP's `REGISTRY_TIMEOUT`). @defaultValue 120_000 */
  operationTimeoutMs?: number;
  /** Retries after the first attempt on 408/429/5xx and connection errors. @defaultValue 3 */
  maxRetries?: number;
  /** First backoff; doubles each retry, with equal jitter. @defaultValue 200 */
  retryBaseDelayMs?: number;
  /** Backoff cap. @defaultValue 10_000 */
  retryMaxDelayMs?: number;
  /** Longest `Retry-After` waited for; longer fails at once with RegistryRateLimitedError. @defaultValue 60_000 */
  maxRetryAfterMs?: number;
  /** Requests in flight per registry origin, shared by every caller of this client. @defaultValue 16 */
  maxConcurrentPerHost?: number;
  /** Requests waiting for a slot per origin; beyond it calls fail with RegistryUnavailableError. @defaultValue 10_000 */
  maxQueuedPerHost?: number;
  /**
   * Request budget per registry host (requests per second), counted in whole-second windows
   * (src/transport/budget.ts); `Infinity` disables it. @defaultValue 100
   */
  requestsPerSecondPerHost?: number;
  /** Requests per budget window: `burstPerHost` per `burstPerHost / requestsPerSecondPerHost` s. @defaultValue 100 */
  burstPerHost?: number;
  /** Share the budget with every client on the same Redis and key prefix (replicas); none = this process only. */
  sharedBudget?: SharedBudgetStore | undefined;
  /**
   * Consecutive 429/5xx or transport failures of a repository that open its circuit breaker; of a host, the same once
   * none of its requests succeeded for `breakerOpenMs` (docs/operations.md#registry-circuit-breakers). @defaultValue 5
   */
  breakerFailureThreshold?: number;
  /** First pause of an open breaker; doubles after each failed probe. @defaultValue 30_000 */
  breakerOpenMs?: number;
  /** Longest pause of an open breaker. @defaultValue 300_000 */
  breakerMaxOpenMs?: number;
  /** Idle keep-alive of pooled connections. @defaultValue 10_000 */
  keepAliveTimeoutMs?: number;
  /**
   * Reuse the connection after a HEAD. undici closes it by default (for servers that wrongly send a body after a HEAD
   * response), which would cost every "has it moved?" check a new TCP and TLS handshake. @defaultValue true
   */
  keepAliveAfterHead?: boolean;
  /** Largest manifest accepted (the OCI spec suggests 4 MiB). @defaultValue 4_194_304 */
  maxManifestBytes?: number;
  /** Largest other JSON body (tag page, token). @defaultValue 16_777_216 */
  maxResponseBytes?: number;
  /** `n` of each tag list page. @defaultValue 1000 */
  tagsPageSize?: number;
  /** Most tags listTags collects before failing with RegistryResponseTooLargeError. @defaultValue 100_000 */
  maxTags?: number;
  /** Bearer tokens kept (per origin + credentials + scope), least recently used evicted. @defaultValue 1024 */
  maxTokenCacheEntries?: number;
  /** Origins whose auth scheme and limiter are kept. @defaultValue 256 */
  maxHosts?: number;
  /** Connection pools kept, one per distinct CA; the least recently used is closed. @defaultValue 32 */
  maxTrustStores?: number;
  /** Redirects followed for GET/HEAD (blob storage behind a CDN). @defaultValue 5 */
  maxRedirects?: number;
  /** Platform picked from an image index (the only image is picked when the index has one). @defaultValue `{ os: 'linux', architecture: 'amd64' }` */
  platform?: Platform;
  /** @defaultValue `'modsync-registry/0.1'` */
  userAgent?: string;
  /** Source of jitter, in [0, 1). @defaultValue `Math.random` */
  random?: () => number;
}

/** Every option set; `sharedBudget` stays optional (none = the budget of this process). */
export type ResolvedRegistryClientOptions = Readonly<Required<Omit<RegistryClientOptions, 'sharedBudget'>>> & {
  readonly sharedBudget: SharedBudgetStore | undefined;
};

export const DEFAULT_REGISTRY_CLIENT_OPTIONS: ResolvedRegistryClientOptions = Object.freeze({
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  operationTimeoutMs: 120_000,
  maxRetries: 3,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  maxConcurrentPerHost: 16,
  maxQueuedPerHost: 10_000,
  requestsPerSecondPerHost: 100,
  burstPerHost: 100,
  sharedBudget: undefined,
  breakerFailureThreshold: 5,
  breakerOpenMs: 30_000,
  breakerMaxOpenMs: 300_000,
  keepAliveTimeoutMs: 10_000,
  keepAliveAfterHead: true,
  maxManifestBytes: 4 * 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  tagsPageSize: 1000,
  maxTags: 100_000,
  maxTokenCacheEntries: 1024,
  maxHosts: 256,
  maxTrustStores: 32,
  maxRedirects: 5,
  platform: Object.freeze({ os: 'linux', architecture: 'amd64' }),
  userAgent: 'modsync-registry/0.1',
  random: Math.random,
});

/** Names people reach for, and the option that replaced them. */
const RENAMED: Readonly<Record<string, keyof RegistryClientOptions>> = {
  timeout: 'requestTimeoutMs',
  timeoutMs: 'requestTimeoutMs',
  headersTimeout: 'requestTimeoutMs',
  bodyTimeout: 'bodyTimeoutMs',
  connectTimeout: 'connectTimeoutMs',
  retries: 'maxRetries',
  concurrency: 'maxConcurrentPerHost',
  connections: 'maxConcurrentPerHost',
  keepAliveTimeout: 'keepAliveTimeoutMs',
};

type Rule = { min: number; integer: boolean; infinite?: boolean };
const NUMERIC: Readonly<Record<string, Rule>> = {
  connectTimeoutMs: { min: 1, integer: true },
  requestTimeoutMs: { min: 1, integer: true },
  bodyTimeoutMs: { min: 1, integer: true },
  operationTimeoutMs: { min: 1, integer: true },
  maxRetries: { min: 0, integer: true },
  retryBaseDelayMs: { min: 0, integer: true },
  retryMaxDelayMs: { min: 0, integer: true },
  maxRetryAfterMs: { min: 0, integer: true },
  maxConcurrentPerHost: { min: 1, integer: true },
  maxQueuedPerHost: { min: 0, integer: true },
  requestsPerSecondPerHost: { min: Number.MIN_VALUE, integer: false, infinite: true },
  burstPerHost: { min: 1, integer: true },
  breakerFailureThreshold: { min: 1, integer: true },
  breakerOpenMs: { min: 1, integer: true },
  breakerMaxOpenMs: { min: 1, integer: true },
  keepAliveTimeoutMs: { min: 1, integer: true },
  maxManifestBytes: { min: 1, integer: true },
  maxResponseBytes: { min: 1, integer: true },
  tagsPageSize: { min: 1, integer: true },
  maxTags: { min: 1, integer: true },
  maxTokenCacheEntries: { min: 1, integer: true },
  maxHosts: { min: 1, integer: true },
  maxTrustStores: { min: 1, integer: true },
  maxRedirects: { min: 0, integer: true },
};

function invalid(option: string, message: string): RegistryInvalidOptionError {
  return new RegistryInvalidOptionError(`invalid registry client option "${option}": ${message}`, { option });
}

/** Merge defaults, validate every field (naming it), freeze. */
export function resolveRegistryClientOptions(options: RegistryClientOptions = {}): ResolvedRegistryClientOptions {
  for (const key of Object.keys(options)) {
    const replacement = RENAMED[key];
    if (replacement !== undefined) throw invalid(key, `not an option; use "${replacement}"`);
    if (!(key in DEFAULT_REGISTRY_CLIENT_OPTIONS)) throw invalid(key, 'unknown option');
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULT_REGISTRY_CLIENT_OPTIONS, ...defined } as Required<RegistryClientOptions>;
  for (const [key, rule] of Object.entries(NUMERIC)) {
    const value = merged[key as keyof RegistryClientOptions] as unknown;
    if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(key, `must be a number, got ${typeof value}`);
    if (value === Infinity && rule.infinite === true) continue;
    if (!Number.isFinite(value)) throw invalid(key, 'must be finite');
    if (rule.integer && !Number.isInteger(value)) throw invalid(key, `must be an integer, got ${value}`);
    if (value < rule.min)
      throw invalid(key, `${rule.min === Number.MIN_VALUE ? 'must be > 0' : `must be >= ${rule.min}`}, got ${value}`);
  }
  if (merged.retryMaxDelayMs < merged.retryBaseDelayMs) {
    throw invalid('retryMaxDelayMs', `must be >= retryBaseDelayMs (${merged.retryBaseDelayMs})`);
  }
  if (merged.breakerMaxOpenMs < merged.breakerOpenMs) {
    throw invalid('breakerMaxOpenMs', `must be >= breakerOpenMs (${merged.breakerOpenMs})`);
  }
  const store = merged.sharedBudget as unknown;
  if (
    store !== undefined &&
    (typeof store !== 'object' || store === null || typeof (store as SharedBudgetStore).keyPrefix !== 'string')
  ) {
    throw invalid('sharedBudget', 'must be { redis, keyPrefix: string }');
  }
  if (merged.operationTimeoutMs < merged.requestTimeoutMs) {
    throw invalid('operationTimeoutMs', `must be >= requestTimeoutMs (${merged.requestTimeoutMs})`);
  }
  const p = merged.platform as unknown as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || typeof p.os !== 'string' || typeof p.architecture !== 'string') {
    throw invalid('platform', 'must be { os: string, architecture: string, variant?: string }');
  }
  if (p.variant !== undefined && typeof p.variant !== 'string') throw invalid('platform', 'variant must be a string');
  if (typeof merged.keepAliveAfterHead !== 'boolean') throw invalid('keepAliveAfterHead', 'must be a boolean');
  if (typeof merged.userAgent !== 'string' || merged.userAgent === '')
    throw invalid('userAgent', 'must be a non-empty string');
  if (typeof merged.random !== 'function') throw invalid('random', 'must be a function returning [0, 1)');
  return Object.freeze({ ...merged, platform: Object.freeze({ ...merged.platform }) });
}
