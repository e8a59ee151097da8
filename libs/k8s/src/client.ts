import type { AgentOptions } from 'node:https';
import { EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import {
  decideRetry,
  DEFAULT_RETRY_ERROR_CODES,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from '@modsync/runtime/backoff';
import { KubeApiError } from './errors.ts';
import type { KubeConfig } from './kubeconfig.ts';
import { LineSplitter } from './lines.ts';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resources.ts';

export interface KubeClientOptions {
  /** Per-request time limit (headers and body), watches excepted. @defaultValue 30000 */
  timeoutMs?: number;
  /** Further attempts after a retryable failure (5xx, 429, connection), for every verb but create. @defaultValue 3 */
  retries?: number;
  /** First backoff; doubles per attempt, with equal jitter (backoffDelayMs). @defaultValue 200 */
  minBackoffMs?: number;
  /** Backoff cap. @defaultValue 5000 */
  maxBackoffMs?: number;
  /** Server-side apply field manager. @defaultValue 'modsync' */
  fieldManager?: string;
  /** Longest 429/503 `Retry-After` waited for; a longer one fails the call at once. @defaultValue 60000 */
  maxRetryAfterMs?: number;
}

interface ResolvedOptions extends Required<KubeClientOptions> {}

const DEFAULTS: ResolvedOptions = {
  timeoutMs: 30_000,
  retries: 3,
  minBackoffMs: 200,
  maxBackoffMs: 5_000,
  fieldManager: 'modsync',
  maxRetryAfterMs: 60_000,
};

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  /** The server ends the watch after this long; the caller watches again. @defaultValue 300 */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

interface RequestInit {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  retry?: boolean;
}

function resolveOptions(options: KubeClientOptions): ResolvedOptions {
  const resolved = { ...DEFAULTS, ...options };
  for (const key of ['timeoutMs', 'retries', 'minBackoffMs', 'maxBackoffMs', 'maxRetryAfterMs'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0)
      throw new TypeError(`KubeClientOptions.${key} must be a non-negative number`);
  }
  if (!resolved.fieldManager) throw new TypeError('KubeClientOptions.fieldManager must not be empty');
  return Object.freeze(resolved);
}

const RETRY_STATUS_CODES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(DEFAULT_RETRY_ERROR_CODES);

/** What client-node's KubeConfig gives for one request: headers (Authorization from exec/OIDC/token) and TLS material. */
interface Credentials {
  headers: Record<string, string>;
  tls: {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    rejectUnauthorized?: boolean;
    servername?: string;
  };
}

/**
 * A Kubernetes API client: credentials, TLS and proxy-url from @kubernetes/client-node's KubeConfig (asked before every
 * request, so exec plugins, OIDC refreshes and rotating token files take effect); requests, retries with Retry-After,
 * and watches on one keep-alive undici pool that also honours HTTPS_PROXY/NO_PROXY. Why requests are not sent through
 * client-node's generated API classes: libs/k8s/README.md.
 */
export class KubeClient {
  readonly server: string;
  private readonly options: ResolvedOptions;
  private readonly config: KubeConfig;
  private readonly policy: RetryPolicy;
  private dispatcher: Dispatcher | undefined;
  /** TLS material the dispatcher was built with; an exec plugin may hand out a new client certificate. */
  private dispatcherKey = '';

  private constructor(config: KubeConfig, options: ResolvedOptions) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig: the current context names no cluster');
    this.config = config;
    this.server = cluster.server.replace(/\/$/, '');
    this.options = options;
    this.policy = {
      maxRetries: options.retries,
      baseDelayMs: options.minBackoffMs,
      maxDelayMs: options.maxBackoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      statusCodes: RETRY_STATUS_CODES,
      errorCodes: RETRY_ERROR_CODES,
    };
  }

  /** A client for `config`'s current context; resolves once credentials could be obtained (an exec plugin ran). */
  static async create(config: KubeConfig, options: KubeClientOptions = {}): Promise<KubeClient> {
    const client = new KubeClient(config, resolveOptions(options));
    await client.connection();
    return client;
  }

  /** Headers and dispatcher for the next request: client-node applies the user's authentication each time. */
  private async connection(): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher }> {
    const creds = await this.credentials();
    const key = JSON.stringify([
      creds.tls.ca?.toString(),
      creds.tls.cert?.toString(),
      creds.tls.key?.toString(),
      creds.tls.rejectUnauthorized,
      creds.tls.servername,
    ]);
    if (!this.dispatcher || key !== this.dispatcherKey) {
      const previous = this.dispatcher;
      this.dispatcher = this.newDispatcher(creds.tls);
      this.dispatcherKey = key;
      // Requests in flight on the old pool finish first; close() only refuses new ones.
      previous?.close().catch(() => {});
    }
    return { headers: creds.headers, dispatcher: this.dispatcher };
  }

  private async credentials(): Promise<Credentials> {
    const opts: AgentOptions & { headers?: Record<string, string>; auth?: string } = {};
    try {
      await this.config.applyToHTTPSOptions(opts);
    } catch (cause) {
      throw new KubeApiError({
        method: 'AUTH',
        path: this.server,
        statusCode: 0,
        reason: 'Unauthorized',
        message: `credentials: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (opts.auth) headers['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const tls: Credentials['tls'] = {};
    if (opts.ca) tls.ca = opts.ca as string | Buffer;
    if (opts.cert) tls.cert = opts.cert as string | Buffer;
    if (opts.key) tls.key = opts.key as string | Buffer;
    if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
    if (opts.servername) tls.servername = opts.servername;
    return { headers, tls };
  }

  /**
   * The cluster's proxy-url as client-node maps it (HTTP CONNECT or SOCKS5), else HTTPS_PROXY/HTTP_PROXY/NO_PROXY
   * from the environment (undici's EnvHttpProxyAgent); a direct keep-alive pool when neither is set.
   */
  private newDispatcher(tls: Credentials['tls']): Dispatcher {
    const pool = { keepAliveTimeout: 30_000, connections: 16 };
    const mapped = this.config.createDispatcherOptions(this.config.getCurrentCluster(), tls);
    if (mapped.type === 'proxy' || mapped.type === 'socks')
      return new ProxyAgent({ ...pool, uri: mapped.uri, requestTls: mapped.requestTls });
    return new EnvHttpProxyAgent({
      ...pool,
      connect: { ...tls, keepAlive: true, keepAliveInitialDelay: 30_000 },
      requestTls: tls,
    });
  }

  private async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const retries = init.retry === false ? 0 : this.options.retries;
    const policy = retries === this.policy.maxRetries ? this.policy : { ...this.policy, maxRetries: retries };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, path, init);
      } catch (err) {
        if (!(err instanceof KubeApiError) || init.signal?.aborted) throw err;
        const decision = decideRetry(
          {
            attempt,
            statusCode: err.statusCode || undefined,
            errorCode: err.statusCode ? undefined : transportCode(err.cause),
            retryAfterMs: err.retryAfterMs,
            remainingMs: Number.POSITIVE_INFINITY,
            random: Math.random(),
          },
          policy,
        );
        if (!decision.retry) throw err;
        // Aborted while waiting: the caller gets the API error, not the abort reason.
        await sleep(decision.delayMs, init.signal).catch(() => {
          throw err;
        });
      }
    }
  }

  private async once<T>(method: string, path: string, init: RequestInit): Promise<T> {
    const query = new URLSearchParams(
      Object.entries(init.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const url = `${this.server}${path}${query.size ? `?${query}` : ''}`;
    const { headers: auth, dispatcher } = await this.connection();
    const headers: Record<string, string> = { accept: 'application/json', ...auth };
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: init.signal,
      });
    } catch (cause) {
      throw new KubeApiError({
        method,
        path,
        statusCode: 0,
        message: cause instanceof Error ? cause.message : String(cause),
        cause,
      });
    }
    // text() gathers the whole body before decoding: a character split across chunks stays whole.
    const text = await res.body.text();
    if (res.statusCode >= 400) throw statusError(method, path, res.statusCode, text, res.headers['retry-after']);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The API server's `/version` (`gitVersion` such as `v1.36.3`), for requirement checks. */
  async serverVersion(): Promise<{ gitVersion: string; major?: string; minor?: string }> {
    return this.request<{ gitVersion: string; major?: string; minor?: string }>('GET', '/version');
  }

  /** The object, or undefined when it does not exist. */
  async get<T>(type: ResourceType<T>, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', objectPath(type, name, namespace));
    } catch (err) {
      if (err instanceof KubeApiError && err.reason === 'NotFound') return undefined;
      throw err;
    }
  }

  async list<T>(type: ResourceType<T>, options: ListOptions = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>(
        'GET',
        collectionPath(type, options.namespace),
        {
          query: { labelSelector: options.labelSelector, limit: '500', continue: continueToken },
        },
      );
      // Lists of custom resources carry no apiVersion/kind per item; add them so items are whole objects.
      for (const item of page.items) items.push({ apiVersion: apiVersionOf(type), kind: type.kind, ...item });
      resourceVersion = page.metadata.resourceVersion;
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  async create<T extends { metadata: { name: string; namespace?: string } }>(
    type: ResourceType<T>,
    object: T,
  ): Promise<T> {
    return this.request<T>('POST', collectionPath(type, object.metadata.namespace), { body: object, retry: false });
  }

  /** PUT with the object's resourceVersion: fails with reason Conflict when someone else wrote it first. */
  async replace<T extends { metadata: { name: string; namespace?: string; resourceVersion?: string } }>(
    type: ResourceType<T>,
    object: T,
  ): Promise<T> {
    return this.request<T>('PUT', objectPath(type, object.metadata.name, object.metadata.namespace), {
      body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object },
      retry: false,
    });
  }

  /**
   * Server-side apply of the fields `object` names (owned by this client's field manager); `subresource: 'status'` applies
   * the status. Idempotent: applying the same object twice is a no-op on the server (resourceVersion unchanged).
   */
  async apply<T extends { metadata: { name: string; namespace?: string } }>(
    type: ResourceType<T>,
    object: T,
    options: { subresource?: 'status'; force?: boolean } = {},
  ): Promise<T> {
    return this.request<T>(
      'PATCH',
      objectPath(type, object.metadata.name, object.metadata.namespace, options.subresource),
      {
        body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object },
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: this.options.fieldManager, force: options.force === false ? undefined : 'true' },
      },
    );
  }

  /** JSON merge patch (RFC 7386); `subresource: 'status'` patches the status. */
  async mergePatch<T>(
    type: ResourceType<T>,
    name: string,
    patch: unknown,
    options: { namespace?: string; subresource?: 'status' } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(type, name, options.namespace, options.subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: this.options.fieldManager },
    });
  }

  /** Deletes the object; resolves false when it was already gone. */
  async delete(type: ResourceType, name: string, namespace?: string): Promise<boolean> {
    try {
      await this.request('DELETE', objectPath(type, name, namespace), { body: { propagationPolicy: 'Background' } });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.reason === 'NotFound') return false;
      throw err;
    }
  }

  /**
   * Watches from `resourceVersion` until the server ends the watch (timeoutSeconds) or the signal aborts. A `410 Gone`
   * (resourceVersion too old) throws KubeApiError with reason Gone or Expired: list again and watch from there.
   */
  async *watch<T>(type: ResourceType<T>, options: WatchOptions): AsyncGenerator<WatchEvent<T>> {
    const timeoutSeconds = options.timeoutSeconds ?? 300;
    const path = collectionPath(type, options.namespace);
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: options.resourceVersion,
      timeoutSeconds: String(timeoutSeconds),
    });
    if (options.labelSelector) query.set('labelSelector', options.labelSelector);
    const { headers, dispatcher } = await this.connection();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.server}${path}?${query}`, {
        method: 'GET',
        headers: { accept: 'application/json', ...headers },
        dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: (timeoutSeconds + 30) * 1000,
        signal: options.signal,
      });
    } catch (cause) {
      if (options.signal?.aborted) return;
      throw new KubeApiError({
        method: 'WATCH',
        path,
        statusCode: 0,
        message: cause instanceof Error ? cause.message : String(cause),
        cause,
      });
    }
    if (res.statusCode >= 400)
      throw statusError('WATCH', path, res.statusCode, await res.body.text(), res.headers['retry-after']);
    const lines = new LineSplitter();
    const event = (line: string): WatchEvent<T> => {
      const parsed = JSON.parse(line) as {
        type: string;
        object: T & { code?: number; reason?: string; message?: string };
      };
      if (parsed.type === 'ERROR') {
        const status = parsed.object;
        throw new KubeApiError({
          method: 'WATCH',
          path,
          statusCode: status.code ?? 500,
          reason: status.reason,
          message: status.message ?? 'watch error',
        });
      }
      return parsed as WatchEvent<T>;
    };
    try {
      for await (const chunk of res.body) for (const line of lines.push(chunk as Buffer)) yield event(line);
      for (const line of lines.end()) yield event(line);
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

/** A failed response as KubeApiError: the Status object's reason and message when the body is one. */
function statusError(
  method: string,
  path: string,
  statusCode: number,
  text: string,
  retryAfter: string | string[] | undefined,
): KubeApiError {
  let reason: string | undefined;
  let message = text.trim() || `HTTP ${statusCode}`;
  try {
    const status = JSON.parse(text) as { reason?: string; message?: string };
    reason = status.reason || undefined;
    message = status.message || message;
  } catch {
    // Not a Status object (a proxy in between): keep the body as the message.
  }
  return new KubeApiError({
    method,
    path,
    statusCode,
    reason,
    message,
    retryAfterMs: parseRetryAfter(retryAfter, Date.now()),
  });
}

/** The transport error code (ECONNRESET, UND_ERR_SOCKET, …) of a failed request, for the retry policy. */
function transportCode(cause: unknown): string | undefined {
  for (let c = cause, depth = 0; c instanceof Error && depth < 4; c = c.cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
