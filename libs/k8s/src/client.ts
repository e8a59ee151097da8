import { Agent, request, type Dispatcher } from 'undici';
import { KubeApiError } from './errors.ts';
import type { ClusterCredentials } from './kubeconfig.ts';
import { sleep } from './sleep.ts';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resources.ts';

export interface KubeClientOptions {
  /** Per-request time limit (headers and body), watches excepted. @defaultValue 30000 */
  timeoutMs?: number;
  /** Further attempts after a retryable failure (5xx, 429, connection), for every verb but create. @defaultValue 3 */
  retries?: number;
  /** First backoff; doubles per attempt, with full jitter. @defaultValue 200 */
  minBackoffMs?: number;
  /** Backoff cap. @defaultValue 5000 */
  maxBackoffMs?: number;
  /** Server-side apply field manager. @defaultValue 'modsync' */
  fieldManager?: string;
  /** How long a token read from a token file is reused before it is read again. @defaultValue 60000 */
  credentialsTtlMs?: number;
}

interface ResolvedOptions extends Required<KubeClientOptions> {}

const DEFAULTS: ResolvedOptions = {
  timeoutMs: 30_000,
  retries: 3,
  minBackoffMs: 200,
  maxBackoffMs: 5_000,
  fieldManager: 'modsync',
  credentialsTtlMs: 60_000,
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
  for (const key of ['timeoutMs', 'retries', 'minBackoffMs', 'maxBackoffMs', 'credentialsTtlMs'] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) throw new TypeError(`KubeClientOptions.${key} must be a non-negative number`);
  }
  if (!resolved.fieldManager) throw new TypeError('KubeClientOptions.fieldManager must not be empty');
  return Object.freeze(resolved);
}

/** A small Kubernetes API client on undici: typed by ResourceType, server-side apply, status patches, watches. */
export class KubeClient {
  readonly server: string;
  private readonly options: ResolvedOptions;
  private readonly dispatcher: Dispatcher;
  private readonly credentials: ClusterCredentials;
  private headers: Record<string, string> = {};
  private headersAt = 0;

  private constructor(credentials: ClusterCredentials, dispatcher: Dispatcher, options: ResolvedOptions) {
    this.credentials = credentials;
    this.server = credentials.server.replace(/\/$/, '');
    this.dispatcher = dispatcher;
    this.options = options;
  }

  static async create(credentials: ClusterCredentials, options: KubeClientOptions = {}): Promise<KubeClient> {
    const resolved = resolveOptions(options);
    const dispatcher = new Agent({
      connect: { ca: credentials.ca, cert: credentials.cert, key: credentials.key, rejectUnauthorized: !credentials.insecureSkipTLSVerify },
      keepAliveTimeout: 30_000,
      connections: 16,
    });
    const client = new KubeClient(credentials, dispatcher, resolved);
    await client.authHeaders();
    return client;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    if (Date.now() - this.headersAt > this.options.credentialsTtlMs) {
      const authorization = await this.credentials.authorization();
      this.headers = authorization ? { authorization } : {};
      this.headersAt = Date.now();
    }
    return this.headers;
  }

  private async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const retries = init.retry === false ? 0 : this.options.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, init);
      } catch (err) {
        if (!(err instanceof KubeApiError) || !err.retryable || attempt >= retries || init.signal?.aborted) throw err;
        const cap = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** attempt);
        await sleep(Math.random() * cap, init.signal);
        if (init.signal?.aborted) throw err;
      }
    }
  }

  private async once<T>(method: string, path: string, init: RequestInit): Promise<T> {
    const query = new URLSearchParams(Object.entries(init.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    const url = `${this.server}${path}${query.size ? `?${query}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.authHeaders()) };
    if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        dispatcher: this.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: init.signal,
      });
    } catch (cause) {
      throw new KubeApiError({ method, path, statusCode: 0, message: cause instanceof Error ? cause.message : String(cause), cause });
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let reason: string | undefined;
      let message = text.trim() || `HTTP ${res.statusCode}`;
      try {
        const status = JSON.parse(text) as { reason?: string; message?: string };
        reason = status.reason || undefined;
        message = status.message || message;
      } catch {
        // Not a Status object (a proxy in between): keep the body as the message.
      }
      throw new KubeApiError({ method, path, statusCode: res.statusCode, reason, message });
    }
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
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>('GET', collectionPath(type, options.namespace), {
        query: { labelSelector: options.labelSelector, limit: '500', continue: continueToken },
      });
      // Lists of custom resources carry no apiVersion/kind per item; add them so items are whole objects.
      for (const item of page.items) items.push({ apiVersion: apiVersionOf(type), kind: type.kind, ...item });
      resourceVersion = page.metadata.resourceVersion;
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  async create<T extends { metadata: { name: string; namespace?: string } }>(type: ResourceType<T>, object: T): Promise<T> {
    return this.request<T>('POST', collectionPath(type, object.metadata.namespace), { body: object, retry: false });
  }

  /** PUT with the object's resourceVersion: fails with reason Conflict when someone else wrote it first. */
  async replace<T extends { metadata: { name: string; namespace?: string; resourceVersion?: string } }>(type: ResourceType<T>, object: T): Promise<T> {
    return this.request<T>('PUT', objectPath(type, object.metadata.name, object.metadata.namespace), { body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object }, retry: false });
  }

  /**
   * Server-side apply of the fields `object` names (owned by this client's field manager); `subresource: 'status'` applies
   * the status. Idempotent: applying the same object twice is a no-op on the server (resourceVersion unchanged).
   */
  async apply<T extends { metadata: { name: string; namespace?: string } }>(type: ResourceType<T>, object: T, options: { subresource?: 'status'; force?: boolean } = {}): Promise<T> {
    return this.request<T>('PATCH', objectPath(type, object.metadata.name, object.metadata.namespace, options.subresource), {
      body: { apiVersion: apiVersionOf(type), kind: type.kind, ...object },
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.options.fieldManager, force: options.force === false ? undefined : 'true' },
    });
  }

  /** JSON merge patch (RFC 7386); `subresource: 'status'` patches the status. */
  async mergePatch<T>(type: ResourceType<T>, name: string, patch: unknown, options: { namespace?: string; subresource?: 'status' } = {}): Promise<T> {
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
    const query = new URLSearchParams({ watch: '1', allowWatchBookmarks: 'true', resourceVersion: options.resourceVersion, timeoutSeconds: String(timeoutSeconds) });
    if (options.labelSelector) query.set('labelSelector', options.labelSelector);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.server}${path}?${query}`, {
        method: 'GET',
        headers: { accept: 'application/json', ...(await this.authHeaders()) },
        dispatcher: this.dispatcher,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: (timeoutSeconds + 30) * 1000,
        signal: options.signal,
      });
    } catch (cause) {
      throw new KubeApiError({ method: 'WATCH', path, statusCode: 0, message: cause instanceof Error ? cause.message : String(cause), cause });
    }
    if (res.statusCode >= 400) {
      const text = await res.body.text();
      const status = JSON.parse(text || '{}') as { reason?: string; message?: string };
      throw new KubeApiError({ method: 'WATCH', path, statusCode: res.statusCode, reason: status.reason, message: status.message ?? text });
    }
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: T & { code?: number; reason?: string; message?: string } };
          if (event.type === 'ERROR') {
            const status = event.object;
            throw new KubeApiError({ method: 'WATCH', path, statusCode: status.code ?? 500, reason: status.reason, message: status.message ?? 'watch error' });
          }
          yield event as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
