// The registry client: one per process. Builds the request pipeline once
//   response-error → redirect → auth → undici Agent composed with: retry → per-host limit → attempt
// (request-level layers above, undici interceptors per attempt below) and exposes the OCI operations over it.
import { pipeline, type Readable } from 'node:stream';
import { z } from 'zod';
import { AuthState } from './auth/auth-layer.ts';
import { publishBytes } from './diagnostics.ts';
import { DigestVerifier, digestWithAlgorithmOf, sha256Digest } from './digest.ts';
import {
  RegistryBadResponseError,
  RegistryBlobUnknownError,
  RegistryDigestMismatchError,
  RegistryError,
  type RegistryErrorFields,
  RegistryInvalidOptionError,
  RegistryPlatformNotFoundError,
  RegistryResponseTooLargeError,
} from './errors.ts';
import { collectLayerFiles } from './extract/collect-files.ts';
import {
  baseMediaType,
  MANIFEST_ACCEPT,
  type ManifestMediaType,
  manifestKind,
  MediaTypes,
} from './manifest/media-types.ts';
import {
  type ImageIndex,
  imageIndexSchema,
  type ImageManifest,
  imageManifestSchema,
  type Platform,
  selectPlatformManifest,
} from './manifest/schema.ts';
import {
  type RegistryClientOptions,
  type ResolvedRegistryClientOptions,
  resolveRegistryClientOptions,
} from './options.ts';
import { assertDigest, assertRepository, isValidDigest, parseReference } from './reference.ts';
import type { RegistrySettings } from './settings.ts';
import { createExchange, outcomeOf, transportError } from './transport/attempt.ts';
import { DispatcherPool } from './transport/dispatchers.ts';
import { RequestBudget } from './transport/budget.ts';
import {
  attemptInterceptor,
  breakerInterceptor,
  budgetInterceptor,
  limitInterceptor,
  retryInterceptor,
} from './transport/interceptors.ts';
import { redirectLayer } from './transport/layers.ts';
import { parseNextLink } from './transport/link.ts';
import { responseErrorLayer } from './transport/response-error.ts';
import { DEFAULT_RETRY_ERROR_CODES, DEFAULT_RETRY_STATUS_CODES } from '@modsync/runtime/backoff';
import {
  compose,
  type HttpMethod,
  header,
  type RegistryRequest,
  type RegistryResponse,
  type Send,
} from './transport/types.ts';

export interface CallOptions {
  /** Aborting rejects the call with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

export interface ListTagsOptions extends CallOptions {
  /** @defaultValue the client's `tagsPageSize` */
  pageSize?: number | undefined;
  /** @defaultValue the client's `maxTags` */
  maxTags?: number | undefined;
}

export interface GetManifestOptions extends CallOptions {
  /** Platform picked from an index. @defaultValue the client's `platform` (linux/amd64) */
  platform?: Platform | undefined;
}

export interface GetBlobOptions extends CallOptions {
  /** Size from the descriptor: more or fewer bytes fail the stream with RegistryDigestMismatchError. */
  expectedSize?: number | undefined;
  /** Fail the stream with RegistryDigestMismatchError as soon as more bytes arrive. */
  maxBytes?: number | undefined;
}

export interface ReadImageFilesOptions extends GetManifestOptions {
  /** Sum of the sizes of the files returned. */
  maxBytes: number;
  /** Size of one file. @defaultValue maxBytes */
  maxFileBytes?: number | undefined;
  /** Entries per layer. @defaultValue 10_000 */
  maxEntries?: number | undefined;
  /** Decompressed bytes per layer (gzip-bomb guard; skipped files count). @defaultValue 268_435_456 (256 MiB) */
  maxLayerBytes?: number | undefined;
  /** Keep only the files for which this returns true (path relative, no leading `./`). @defaultValue keep all */
  filter?: ((path: string) => boolean) | undefined;
}

export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface FetchedIndex {
  readonly digest: string;
  readonly mediaType: ManifestMediaType;
  readonly size: number;
  readonly raw: Buffer;
  readonly manifest: ImageIndex;
}

export interface FetchedManifest {
  /** Digest of the image manifest returned (after index resolution). */
  readonly digest: string;
  readonly mediaType: ManifestMediaType;
  readonly size: number;
  /** Bytes exactly as served; `digest` is their sha256. */
  readonly raw: Buffer;
  readonly manifest: ImageManifest;
  /** The index the reference pointed to, when it pointed to one (its digest is what headManifest reports). */
  readonly index?: FetchedIndex | undefined;
}

export interface PushBlobResult {
  readonly digest: string;
  readonly size: number;
}

export interface PushManifestResult {
  readonly digest: string;
}

export interface RegistryClientStats {
  /** Origins whose auth scheme is known. */
  readonly knownHosts: number;
  readonly cachedTokens: number;
  /** Connection pools (one per CA trust setting). */
  readonly trustStores: number;
  /** Per-origin limiters. */
  readonly limiters: number;
}

export interface RegistryClient {
  readonly options: ResolvedRegistryClientOptions;
  /** All tags of a repository, following `Link` pagination. */
  listTags(settings: RegistrySettings, repository: string, options?: ListTagsOptions): Promise<string[]>;
  /** HEAD of a manifest: the cheap "has it moved?" check (one request once auth is known). */
  headManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options?: CallOptions,
  ): Promise<ManifestHead>;
  /** GET of a manifest, parsed; an index is resolved to the client's platform (or its only image). */
  getManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options?: GetManifestOptions,
  ): Promise<FetchedManifest>;
  /** A blob as a stream that fails with RegistryDigestMismatchError unless its sha256 matches. */
  getBlob(settings: RegistrySettings, repository: string, digest: string, options?: GetBlobOptions): Promise<Readable>;
  /** The regular files of an image's layers, in memory, within limits. */
  readImageFiles(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options: ReadImageFilesOptions,
  ): Promise<Map<string, Buffer>>;
  /** Upload a blob (skipped when the registry has it): HEAD, then POST + monolithic PUT. */
  pushBlob(
    settings: RegistrySettings,
    repository: string,
    bytes: Uint8Array,
    options?: CallOptions,
  ): Promise<PushBlobResult>;
  /** PUT a manifest under a tag or digest. */
  pushManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options?: CallOptions,
  ): Promise<PushManifestResult>;
  stats(): RegistryClientStats;
  /** Close every connection pool; in-flight requests finish first. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const tagListSchema = z.object({
  name: z.string().optional(),
  tags: z.array(z.string()).nullable().optional(),
});

interface RawManifest {
  readonly digest: string;
  readonly mediaType: ManifestMediaType;
  readonly size: number;
  readonly raw: Buffer;
  readonly parsed:
    | { readonly kind: 'image'; readonly manifest: ImageManifest }
    | { readonly kind: 'index'; readonly manifest: ImageIndex };
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

function positiveIntegerOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RegistryInvalidOptionError(`invalid option "${name}": must be a positive integer, got ${value}`, {
      option: name,
    });
  }
  return value;
}

class OciRegistryClient implements RegistryClient {
  readonly options: ResolvedRegistryClientOptions;
  readonly #send: Send;
  readonly #dispatchers: DispatcherPool;
  readonly #auth: AuthState;
  readonly #limiterCount: () => number;

  constructor(options: ResolvedRegistryClientOptions) {
    this.options = options;
    this.#auth = new AuthState(options);
    const limit = limitInterceptor(options);
    this.#limiterCount = () => limit.limiters.size;
    const retry = retryInterceptor(
      {
        maxRetries: options.maxRetries,
        baseDelayMs: options.retryBaseDelayMs,
        maxDelayMs: options.retryMaxDelayMs,
        maxRetryAfterMs: options.maxRetryAfterMs,
        statusCodes: new Set(DEFAULT_RETRY_STATUS_CODES),
        errorCodes: new Set(DEFAULT_RETRY_ERROR_CODES),
      },
      options.random,
    );
    const attempt = attemptInterceptor({ requestTimeoutMs: options.requestTimeoutMs, outcomeOf });
    const budget = budgetInterceptor(
      new RequestBudget({
        ratePerSecond: options.requestsPerSecondPerHost,
        burst: options.burstPerHost,
        store: options.sharedBudget,
      }),
    );
    const breaker = breakerInterceptor({
      failureThreshold: options.breakerFailureThreshold,
      openMs: options.breakerOpenMs,
      maxOpenMs: options.breakerMaxOpenMs,
      maxHosts: options.maxHosts,
    });
    this.#dispatchers = new DispatcherPool(options, [attempt, budget, limit.interceptor, breaker, retry]);
    this.#send = compose(
      responseErrorLayer,
      redirectLayer(options.maxRedirects),
      this.#auth.layer,
    )(createExchange(this.#dispatchers, options));
  }

  #deadline(): number {
    return performance.now() + this.options.operationTimeoutMs;
  }

  #request(
    settings: RegistrySettings,
    fields: {
      op: RegistryRequest['op'];
      method: HttpMethod;
      url: URL;
      repository: string;
      reference?: string | undefined;
      scope: string;
      headers?: Record<string, string>;
      body?: Uint8Array;
      stream?: boolean;
      maxBodyBytes?: number;
      deadline: number;
      signal: AbortSignal | undefined;
    },
  ): Promise<RegistryResponse> {
    return this.#send({
      ...fields,
      settings,
      headers: fields.headers ?? {},
      maxBodyBytes: fields.maxBodyBytes ?? this.options.maxResponseBytes,
    });
  }

  #url(settings: RegistrySettings, path: string): URL {
    return new URL(`${settings.baseUrl}/${path}`);
  }

  async listTags(settings: RegistrySettings, repository: string, options: ListTagsOptions = {}): Promise<string[]> {
    assertRepository(repository);
    const pageSize = positiveIntegerOption('pageSize', options.pageSize, this.options.tagsPageSize);
    const maxTags = positiveIntegerOption('maxTags', options.maxTags, this.options.maxTags);
    const deadline = this.#deadline();
    let url = this.#url(settings, `${repository}/tags/list`);
    url.searchParams.set('n', String(pageSize));
    const tags: string[] = [];
    const seen = new Set<string>([url.href]);
    for (;;) {
      const response = await this.#request(settings, {
        op: 'list_tags',
        method: 'GET',
        url,
        repository,
        scope: pullScope(repository),
        headers: { accept: 'application/json' },
        deadline,
        signal: options.signal,
      });
      const fields: RegistryErrorFields = {
        registry: settings.host,
        repository,
        method: 'GET',
        url: response.url.href,
      };
      let json: unknown;
      try {
        json = JSON.parse(response.body.toString('utf8'));
      } catch (err) {
        throw new RegistryBadResponseError(`GET ${response.url.href}: tag list is not JSON`, { ...fields, cause: err });
      }
      const page = tagListSchema.safeParse(json);
      if (!page.success)
        throw new RegistryBadResponseError(`GET ${response.url.href}: tag list has no "tags" array`, fields);
      const pageTags = page.data.tags ?? [];
      if (tags.length + pageTags.length > maxTags) {
        throw new RegistryResponseTooLargeError(`GET ${response.url.href}: more than ${maxTags} tags`, fields);
      }
      tags.push(...pageTags);
      const next = parseNextLink(response.headers.link);
      if (next === undefined || pageTags.length === 0) return tags;
      url = new URL(next, response.url);
      if (seen.has(url.href)) return tags;
      seen.add(url.href);
    }
  }

  async headManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options: CallOptions = {},
  ): Promise<ManifestHead> {
    assertRepository(repository);
    const ref = parseReference(reference);
    const deadline = this.#deadline();
    let response: RegistryResponse;
    try {
      response = await this.#request(settings, {
        op: 'head_manifest',
        method: 'HEAD',
        url: this.#url(settings, `${repository}/manifests/${reference}`),
        repository,
        reference,
        scope: pullScope(repository),
        headers: { accept: MANIFEST_ACCEPT },
        deadline,
        signal: options.signal,
      });
    } catch (err) {
      const status = err instanceof RegistryError && err.method === 'HEAD' ? err.statusCode : undefined;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        // A HEAD response has no body: ask once with GET so the error carries the registry's own code and message.
        const fetched = await this.#fetchManifest(settings, repository, reference, deadline, options.signal);
        return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
      }
      throw err;
    }
    const digest = header(response.headers, 'docker-content-digest');
    const mediaType = baseMediaType(response.headers['content-type']);
    const size = Number(header(response.headers, 'content-length'));
    if (
      digest !== undefined &&
      isValidDigest(digest) &&
      manifestKind(mediaType) !== undefined &&
      Number.isInteger(size) &&
      size >= 0
    ) {
      if (ref.kind === 'digest' && digest !== ref.digest) {
        throw new RegistryDigestMismatchError(`HEAD ${response.url.href}: registry reports digest ${digest}`, {
          registry: settings.host,
          repository,
          reference,
          method: 'HEAD',
          url: response.url.href,
          expected: ref.digest,
          actual: digest,
        });
      }
      return { digest, mediaType: mediaType!, size };
    }
    // Registries that omit Docker-Content-Digest on HEAD: compute it from the body.
    const fetched = await this.#fetchManifest(settings, repository, reference, deadline, options.signal);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
  }

  async #fetchManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<RawManifest> {
    const ref = parseReference(reference);
    const response = await this.#request(settings, {
      op: 'get_manifest',
      method: 'GET',
      url: this.#url(settings, `${repository}/manifests/${reference}`),
      repository,
      reference,
      scope: pullScope(repository),
      headers: { accept: MANIFEST_ACCEPT },
      maxBodyBytes: this.options.maxManifestBytes,
      deadline,
      signal,
    });
    const raw = response.body;
    const fields: RegistryErrorFields = {
      registry: settings.host,
      repository,
      reference,
      method: 'GET',
      url: response.url.href,
    };
    const computed = ref.kind === 'digest' ? digestWithAlgorithmOf(ref.digest, raw) : sha256Digest(raw);
    const announced = header(response.headers, 'docker-content-digest');
    const expected =
      ref.kind === 'digest' ? ref.digest : announced?.startsWith('sha256:') === true ? announced : undefined;
    if (expected !== undefined && computed !== expected) {
      throw new RegistryDigestMismatchError(
        `GET ${response.url.href}: manifest content has digest ${computed}, expected ${expected}`,
        {
          ...fields,
          expected,
          actual: computed,
        },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new RegistryBadResponseError(`GET ${response.url.href}: manifest is not JSON`, { ...fields, cause: err });
    }
    const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (body.schemaVersion === 1) {
      throw new RegistryBadResponseError(`GET ${response.url.href}: Docker manifest schema 1 is not supported`, fields);
    }
    const announcedType = baseMediaType(response.headers['content-type']);
    const bodyType = typeof body.mediaType === 'string' ? body.mediaType : undefined;
    const mediaType = (
      manifestKind(announcedType) !== undefined
        ? announcedType
        : manifestKind(bodyType) !== undefined
          ? bodyType
          : Array.isArray(body.manifests)
            ? MediaTypes.OCI_INDEX
            : MediaTypes.OCI_MANIFEST
    ) as ManifestMediaType;
    const kind = manifestKind(mediaType)!;
    const parsed = kind === 'index' ? imageIndexSchema.safeParse(json) : imageManifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? '' : ` (${issue.path.join('.') || 'root'}: ${issue.message})`;
      throw new RegistryBadResponseError(`GET ${response.url.href}: invalid ${mediaType}${where}`, fields);
    }
    return {
      digest: computed,
      mediaType,
      size: raw.length,
      raw,
      parsed:
        kind === 'index'
          ? { kind, manifest: parsed.data as ImageIndex }
          : { kind, manifest: parsed.data as ImageManifest },
    };
  }

  async getManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options: GetManifestOptions = {},
  ): Promise<FetchedManifest> {
    assertRepository(repository);
    parseReference(reference);
    const deadline = this.#deadline();
    const top = await this.#fetchManifest(settings, repository, reference, deadline, options.signal);
    if (top.parsed.kind === 'image') {
      return {
        digest: top.digest,
        mediaType: top.mediaType,
        size: top.size,
        raw: top.raw,
        manifest: top.parsed.manifest,
      };
    }
    const index: FetchedIndex = {
      digest: top.digest,
      mediaType: top.mediaType,
      size: top.size,
      raw: top.raw,
      manifest: top.parsed.manifest,
    };
    const platform = options.platform ?? this.options.platform;
    const picked = selectPlatformManifest(index.manifest, platform);
    const fields: RegistryErrorFields = { registry: settings.host, repository, reference };
    if (picked === undefined) {
      throw new RegistryPlatformNotFoundError(
        `${settings.host}/${repository}:${reference}: image index ${index.digest} has no ${platform.os}/${platform.architecture} manifest`,
        fields,
      );
    }
    const child = await this.#fetchManifest(settings, repository, picked.digest, deadline, options.signal);
    if (child.parsed.kind !== 'image') {
      throw new RegistryBadResponseError(
        `${settings.host}/${repository}@${picked.digest}: nested image indexes are not supported`,
        fields,
      );
    }
    if (child.size !== picked.size) {
      throw new RegistryDigestMismatchError(
        `${settings.host}/${repository}@${picked.digest}: manifest has ${child.size} bytes, index says ${picked.size}`,
        {
          ...fields,
          expected: picked.digest,
          actual: child.digest,
        },
      );
    }
    return {
      digest: child.digest,
      mediaType: child.mediaType,
      size: child.size,
      raw: child.raw,
      manifest: child.parsed.manifest,
      index,
    };
  }

  async getBlob(
    settings: RegistrySettings,
    repository: string,
    digest: string,
    options: GetBlobOptions = {},
  ): Promise<Readable> {
    assertRepository(repository);
    assertDigest(digest, repository);
    const response = await this.#request(settings, {
      op: 'get_blob',
      method: 'GET',
      url: this.#url(settings, `${repository}/blobs/${digest}`),
      repository,
      reference: digest,
      scope: pullScope(repository),
      stream: true,
      deadline: this.#deadline(),
      signal: options.signal,
    });
    const verifier = new DigestVerifier(digest, {
      expectedSize: options.expectedSize,
      maxBytes: options.maxBytes,
      fields: { registry: settings.host, repository, method: 'GET', url: response.url.href },
      onDone: (bytes) => publishBytes(settings.host, 'get_blob', 'in', bytes),
    });
    const source = response.stream!;
    const fields: RegistryErrorFields = {
      registry: settings.host,
      repository,
      reference: digest,
      method: 'GET',
      url: response.url.href,
    };
    // Failures in the middle of the body (reset, body timeout) reach the consumer as typed errors too.
    const guarded = async function* (): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
      } catch (err) {
        if (options.signal?.aborted === true) throw options.signal.reason;
        throw err instanceof RegistryError ? err : transportError('GET', response.url.href, fields, err);
      }
    };
    pipeline(guarded, verifier, () => {});
    return verifier;
  }

  async readImageFiles(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    options: ReadImageFilesOptions,
  ): Promise<Map<string, Buffer>> {
    if (options?.maxBytes === undefined) {
      throw new RegistryInvalidOptionError('invalid option "maxBytes": required', { option: 'maxBytes' });
    }
    const maxBytes = positiveIntegerOption('maxBytes', options.maxBytes, 0);
    const limits = {
      maxBytes,
      maxFileBytes: positiveIntegerOption('maxFileBytes', options.maxFileBytes, maxBytes),
      maxEntries: positiveIntegerOption('maxEntries', options.maxEntries, 10_000),
      maxTarBytes: positiveIntegerOption('maxLayerBytes', options.maxLayerBytes, 256 * 1024 * 1024),
      filter: options.filter,
    };
    const image = await this.getManifest(settings, repository, reference, options);
    const files = new Map<string, Buffer>();
    for (const layer of image.manifest.layers) {
      if (!/tar/.test(layer.mediaType)) continue;
      const blob = await this.getBlob(settings, repository, layer.digest, {
        signal: options.signal,
        expectedSize: layer.size,
      });
      try {
        await collectLayerFiles(blob, files, limits, options.signal);
      } finally {
        blob.destroy();
      }
    }
    return files;
  }

  async pushBlob(
    settings: RegistrySettings,
    repository: string,
    bytes: Uint8Array,
    options: CallOptions = {},
  ): Promise<PushBlobResult> {
    assertRepository(repository);
    const digest = sha256Digest(bytes);
    const size = bytes.byteLength;
    const deadline = this.#deadline();
    const common = { repository, reference: digest, scope: pushScope(repository), deadline, signal: options.signal };
    try {
      await this.#request(settings, {
        ...common,
        op: 'head_blob',
        method: 'HEAD',
        url: this.#url(settings, `${repository}/blobs/${digest}`),
      });
      return { digest, size };
    } catch (err) {
      if (!(err instanceof RegistryBlobUnknownError)) throw err;
    }
    const started = await this.#request(settings, {
      ...common,
      op: 'start_upload',
      method: 'POST',
      url: this.#url(settings, `${repository}/blobs/uploads/`),
      headers: { 'content-length': '0' },
    });
    const location = header(started.headers, 'location');
    if (location === undefined) {
      throw new RegistryBadResponseError(`POST ${started.url.href}: upload started without a Location`, {
        registry: settings.host,
        repository,
        method: 'POST',
        url: started.url.href,
        statusCode: started.statusCode,
      });
    }
    const url = new URL(location, started.url);
    url.searchParams.set('digest', digest);
    await this.#request(settings, {
      ...common,
      op: 'put_blob',
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    return { digest, size };
  }

  async pushManifest(
    settings: RegistrySettings,
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<PushManifestResult> {
    assertRepository(repository);
    const ref = parseReference(reference);
    const digest = ref.kind === 'digest' ? digestWithAlgorithmOf(ref.digest, bytes) : sha256Digest(bytes);
    if (ref.kind === 'digest' && digest !== ref.digest) {
      throw new RegistryDigestMismatchError(`manifest bytes have digest ${digest}, not ${ref.digest}`, {
        registry: settings.host,
        repository,
        reference,
        expected: ref.digest,
        actual: digest,
      });
    }
    const response = await this.#request(settings, {
      op: 'put_manifest',
      method: 'PUT',
      url: this.#url(settings, `${repository}/manifests/${reference}`),
      repository,
      reference,
      scope: pushScope(repository),
      headers: { 'content-type': mediaType },
      body: bytes,
      deadline: this.#deadline(),
      signal: options.signal,
    });
    const announced = header(response.headers, 'docker-content-digest');
    if (announced?.startsWith('sha256:') && digest.startsWith('sha256:') && announced !== digest) {
      throw new RegistryDigestMismatchError(
        `PUT ${response.url.href}: registry stored digest ${announced}, sent ${digest}`,
        {
          registry: settings.host,
          repository,
          reference,
          method: 'PUT',
          url: response.url.href,
          expected: digest,
          actual: announced,
        },
      );
    }
    return { digest };
  }

  stats(): RegistryClientStats {
    return {
      knownHosts: this.#auth.knownHosts,
      cachedTokens: this.#auth.cachedTokens,
      trustStores: this.#dispatchers.size,
      limiters: this.#limiterCount(),
    };
  }

  close(): Promise<void> {
    return this.#dispatchers.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Create the process's registry client. Options are validated here (RegistryInvalidOptionError names the option);
 * every limit (per-host concurrency, request budget, token and scheme caches, pools) is shared by all its callers.
 */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  return new OciRegistryClient(resolveRegistryClientOptions(options));
}
