// Anonymous, Basic and Docker bearer-token auth as a pipeline layer.
// The scheme of an origin is learnt from its first 401 and kept, so later requests carry credentials up front and an
// unchanged check costs one request (no `GET /v2/` ping). Tokens are cached per origin + credentials + scope until
// shortly before expiry; concurrent callers share one token fetch. Both maps are bounded.
import { z } from 'zod';
import { BoundedMap } from '../bounded-map.ts';
import { type RegistryTokenMessage, tokenChannel } from '../diagnostics.ts';
import type { RegistryCredentials } from '../docker-config.ts';
import { RegistryBadResponseError } from '../errors.ts';
import { errorFromResponse, requestFields } from '../transport/response-error.ts';
import type { Layer, RegistryRequest, RegistryResponse, Send } from '../transport/types.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

type HostScheme =
  | { readonly kind: 'basic' }
  | { readonly kind: 'bearer'; readonly realm: string; readonly service: string | undefined };

interface CachedToken {
  readonly token: string;
  /** `performance.now()` time after which the token is not used. */
  readonly expiresAt: number;
}

const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
});

export interface AuthLayerOptions {
  readonly maxHosts: number;
  readonly maxTokenCacheEntries: number;
  readonly maxResponseBytes: number;
  readonly now?: () => number;
}

function withAuthorization(request: RegistryRequest, authorization: string | undefined): RegistryRequest {
  if (authorization === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function basicCredentials(credentials: RegistryCredentials | undefined): string | undefined {
  return credentials?.kind === 'basic' ? basicHeader(credentials.username, credentials.password) : undefined;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class AuthState {
  readonly #schemes: BoundedMap<string, HostScheme>;
  readonly #tokens: BoundedMap<string, CachedToken>;
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #maxResponseBytes: number;
  readonly #now: () => number;

  constructor(options: AuthLayerOptions) {
    this.#schemes = new BoundedMap(options.maxHosts);
    this.#tokens = new BoundedMap(options.maxTokenCacheEntries);
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#now = options.now ?? (() => performance.now());
  }

  get knownHosts(): number {
    return this.#schemes.size;
  }

  get cachedTokens(): number {
    return this.#tokens.size;
  }

  readonly layer: Layer = (next) => async (request) => {
    const settings = request.settings;
    if (request.anonymous === true || request.url.origin !== settings.origin) return next(request);
    const credentials = settings.credentials;
    if (credentials?.kind === 'registryToken') {
      return next(withAuthorization(request, `Bearer ${credentials.registryToken}`));
    }
    const scope = request.scope ?? '';
    const scheme = this.#schemes.get(settings.origin);
    let authorization: string | undefined;
    let usedToken: CachedToken | undefined;
    if (scheme?.kind === 'basic') {
      authorization = basicCredentials(credentials);
    } else if (scheme?.kind === 'bearer') {
      usedToken =
        this.#cached(settings.origin, settings.credentialsId, scope) ??
        (await this.#token(next, request, scheme, scope, scope, undefined));
      authorization = `Bearer ${usedToken.token}`;
    }

    const response = await next(withAuthorization(request, authorization));
    if (response.statusCode !== 401) return response;

    const challenges = parseWwwAuthenticate(response.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined);
    if (bearer !== undefined) {
      let realm: URL;
      try {
        realm = new URL(bearer.params.realm!);
      } catch {
        return response;
      }
      if (realm.protocol !== 'https:' && realm.protocol !== 'http:') return response;
      const learnt: HostScheme = { kind: 'bearer', realm: realm.href, service: bearer.params.service };
      this.#schemes.set(settings.origin, learnt);
      // Ask for what this request needs and what the registry said it needs (they differ for a HEAD before a push).
      const wanted = [
        ...new Set([...scope.split(' '), ...(bearer.params.scope ?? '').split(' ')].filter((s) => s !== '')),
      ].join(' ');
      const token = await this.#token(next, request, learnt, scope, wanted, usedToken);
      if (token.token === usedToken?.token) return response;
      return next(withAuthorization(request, `Bearer ${token.token}`));
    }
    const basic = basicCredentials(credentials);
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.#schemes.set(settings.origin, { kind: 'basic' });
      if (basic === undefined || authorization === basic) return response;
      return next(withAuthorization(request, basic));
    }
    return response;
  };

  #cached(origin: string, credentialsId: string, scope: string): CachedToken | undefined {
    const cached = this.#tokens.get(`${origin}\0${credentialsId}\0${scope}`);
    return cached !== undefined && cached.expiresAt > this.#now() ? cached : undefined;
  }

  /** A valid token for the scope: cached, joined in flight, or fetched. `stale` is a token the registry just refused. */
  #token(
    next: Send,
    request: RegistryRequest,
    scheme: Extract<HostScheme, { kind: 'bearer' }>,
    cacheScope: string,
    requestScope: string,
    stale: CachedToken | undefined,
  ): Promise<CachedToken> {
    const settings = request.settings;
    const key = `${settings.origin}\0${settings.credentialsId}\0${cacheScope}`;
    const cached = this.#tokens.get(key);
    if (cached !== undefined && cached.expiresAt > this.#now() && cached.token !== stale?.token) {
      return Promise.resolve(cached);
    }
    if (cached !== undefined) this.#tokens.delete(key);
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      // Shared by every caller waiting on this key: it runs without any one caller's signal.
      pending = this.#fetchToken(next, request, scheme, requestScope)
        .then((token) => {
          this.#tokens.set(key, token);
          return token;
        })
        .finally(() => this.#inflight.delete(key));
      pending.catch(() => {});
      this.#inflight.set(key, pending);
    }
    return raceAbort(pending, request.signal);
  }

  async #fetchToken(
    next: Send,
    request: RegistryRequest,
    scheme: Extract<HostScheme, { kind: 'bearer' }>,
    scope: string,
  ): Promise<CachedToken> {
    const settings = request.settings;
    const credentials = settings.credentials;
    const scopes = scope.split(' ').filter((s) => s !== '');
    const started = performance.now();
    const base = {
      op: 'token' as const,
      settings,
      repository: request.repository,
      reference: request.reference,
      maxBodyBytes: this.#maxResponseBytes,
      deadline: request.deadline,
      anonymous: true,
    };
    const getUrl = new URL(scheme.realm);
    if (scheme.service !== undefined) getUrl.searchParams.set('service', scheme.service);
    for (const s of scopes) getUrl.searchParams.append('scope', s);

    let tokenRequest: RegistryRequest;
    let response: RegistryResponse;
    const basicGet = (authorization: string | undefined): RegistryRequest => ({
      ...base,
      method: 'GET',
      url: getUrl,
      headers: { accept: 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    });
    if (credentials?.kind === 'identityToken') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'modsync',
      });
      if (scheme.service !== undefined) form.set('service', scheme.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      tokenRequest = {
        ...base,
        method: 'POST',
        url: new URL(scheme.realm),
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString(), 'utf8'),
      };
      response = await next(tokenRequest);
      if (response.statusCode === 404 || response.statusCode === 405) {
        // Token services without the OAuth2 POST: fall back to GET with the identity token as password.
        tokenRequest = basicGet(basicHeader(credentials.username, credentials.identityToken));
        response = await next(tokenRequest);
      }
    } else {
      tokenRequest = basicGet(basicCredentials(credentials));
      response = await next(tokenRequest);
    }

    const publish = (ok: boolean) => {
      if (!tokenChannel.hasSubscribers) return;
      tokenChannel.publish({
        registry: settings.host,
        realm: new URL(scheme.realm).host,
        scope,
        ok,
        durationMs: performance.now() - started,
      } satisfies RegistryTokenMessage);
    };
    if (response.statusCode < 200 || response.statusCode >= 300) {
      publish(false);
      throw errorFromResponse(tokenRequest, response);
    }
    let json: unknown;
    try {
      json = JSON.parse(response.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = tokenResponseSchema.safeParse(json);
    const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || token === undefined || token === '') {
      publish(false);
      throw new RegistryBadResponseError(`${tokenRequest.method} ${response.url.href}: token response has no token`, {
        ...requestFields(tokenRequest),
        statusCode: response.statusCode,
      });
    }
    publish(true);
    // The distribution token spec: tokens live at least 60 s; keep a margin of 10 % (at most 10 s).
    const lifetimeMs = Math.max(60, parsed.data.expires_in ?? 60) * 1000;
    return { token, expiresAt: this.#now() + lifetimeMs - Math.min(10_000, lifetimeMs / 10) };
  }
}
