// Test support: a small in-memory distribution registry (tags with pagination, manifests, blobs, monolithic upload)
// with optional Basic or bearer-token auth (token endpoint on the same server at /token). `intercept` lets a test
// script failures in front of it.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Handler, json, ociError } from './http-server.ts';

export type FakeAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | {
      readonly kind: 'bearer';
      /** Credentials the token endpoint wants; undefined = anonymous tokens. */
      readonly username?: string;
      readonly password?: string;
      readonly expiresInS?: number;
      readonly service?: string;
    };

interface StoredManifest {
  readonly body: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class FakeRegistry {
  auth: FakeAuth;
  /** Set after the server starts, for the token realm. */
  origin = '';
  readonly blobs = new Map<string, Buffer>();
  /** repository → reference (tag or digest) → manifest. */
  readonly manifests = new Map<string, Map<string, StoredManifest>>();
  readonly tokens = new Map<string, { scopes: Set<string>; expiresAt: number }>();
  tokenRequests = 0;
  /** Return true when the request was answered. */
  intercept: ((req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean | Promise<boolean>) | undefined;
  /** Omit Docker-Content-Digest on HEAD, like some registries. */
  omitHeadDigest = false;

  constructor(auth: FakeAuth = { kind: 'none' }) {
    this.auth = auth;
  }

  readonly handler: Handler = async (req, res, body) => {
    if (this.intercept !== undefined && (await this.intercept(req, res, body))) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') return this.#token(req, res, url);
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (!this.#authorized(req, res, '')) return;
      return json(res, 200, {});
    }
    const m = /^\/v2\/(.+?)\/(tags\/list|manifests\/([^/]+)|blobs\/uploads\/([^/]*)|blobs\/([^/]+))$/.exec(
      url.pathname,
    );
    if (m === null) return ociError(res, 404, 'NOT_FOUND', 'not found');
    const repository = m[1]!;
    const write = req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH';
    if (!this.#authorized(req, res, `repository:${repository}:${write ? 'push' : 'pull'}`, repository, write)) return;

    if (m[2] === 'tags/list') return this.#tags(res, repository, url);
    if (m[3] !== undefined) return this.#manifest(req, res, repository, decodeURIComponent(m[3]), body);
    if (m[4] !== undefined) return this.#upload(req, res, repository, m[4], url, body);
    return this.#blob(req, res, m[5]!);
  };

  putBlob(bytes: Buffer): string {
    const digest = digestOf(bytes);
    this.blobs.set(digest, bytes);
    return digest;
  }

  putManifest(repository: string, reference: string, body: Buffer | string, mediaType: string): string {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const digest = digestOf(bytes);
    const refs = this.manifests.get(repository) ?? new Map<string, StoredManifest>();
    this.manifests.set(repository, refs);
    const stored = { body: bytes, mediaType, digest };
    refs.set(reference, stored);
    refs.set(digest, stored);
    return digest;
  }

  #challenge(res: ServerResponse, scope: string): void {
    const header =
      this.auth.kind === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="${this.origin}/token",service="${(this.auth as { service?: string }).service ?? 'fake-registry'}"${scope === '' ? '' : `,scope="${scope}"`}`;
    res.setHeader('www-authenticate', header);
    ociError(
      res,
      401,
      'UNAUTHORIZED',
      'authentication required',
      scope === '' ? undefined : [{ Type: 'repository', Action: 'pull' }],
    );
  }

  #authorized(req: IncomingMessage, res: ServerResponse, scope: string, repository?: string, write?: boolean): boolean {
    const auth = this.auth;
    if (auth.kind === 'none') return true;
    const header = req.headers.authorization ?? '';
    if (auth.kind === 'basic') {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      if (header === expected) return true;
      this.#challenge(res, scope);
      return false;
    }
    const token = header.startsWith('Bearer ') ? this.tokens.get(header.slice(7)) : undefined;
    const needed =
      repository === undefined
        ? []
        : write
          ? [`repository:${repository}:push`, `repository:${repository}:pull`]
          : [`repository:${repository}:pull`];
    if (token !== undefined && token.expiresAt > Date.now() && needed.every((s) => token.scopes.has(s))) return true;
    this.#challenge(res, repository === undefined ? '' : write ? `repository:${repository}:pull,push` : scope);
    return false;
  }

  #token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.tokenRequests++;
    const auth = this.auth;
    if (auth.kind !== 'bearer') return ociError(res, 404, 'NOT_FOUND', 'no token service');
    if (auth.username !== undefined) {
      const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        return ociError(res, 401, 'UNAUTHORIZED', 'invalid username or password');
      }
    }
    const scopes = new Set<string>();
    for (const scope of url.searchParams.getAll('scope')) {
      const [type, name, actions] = scope.split(':');
      for (const action of (actions ?? '').split(',')) scopes.add(`${type}:${name}:${action}`);
    }
    const token = `tok-${randomUUID()}`;
    const expiresIn = auth.expiresInS ?? 300;
    this.tokens.set(token, { scopes, expiresAt: Date.now() + expiresIn * 1000 });
    json(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() });
  }

  #tags(res: ServerResponse, repository: string, url: URL): void {
    const refs = this.manifests.get(repository);
    if (refs === undefined)
      return ociError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
    const all = [...refs.keys()].filter((r) => !r.startsWith('sha256:')).sort();
    const last = url.searchParams.get('last');
    const n = url.searchParams.has('n') ? Number(url.searchParams.get('n')) : all.length;
    const from = last === null ? all : all.filter((t) => t > last);
    const page = from.slice(0, n);
    const headers: Record<string, string> = {};
    if (from.length > n && page.length > 0) {
      headers.link = `</v2/${repository}/tags/list?last=${encodeURIComponent(page[page.length - 1]!)}&n=${n}>; rel="next"`;
    }
    json(res, 200, { name: repository, tags: page }, headers);
  }

  #manifest(req: IncomingMessage, res: ServerResponse, repository: string, reference: string, body: Buffer): void {
    if (req.method === 'PUT') {
      const mediaType = req.headers['content-type'] ?? 'application/octet-stream';
      const digest = this.putManifest(repository, reference, body, mediaType);
      res.writeHead(201, {
        'docker-content-digest': digest,
        location: `/v2/${repository}/manifests/${digest}`,
        'content-length': 0,
      });
      return void res.end();
    }
    const stored = this.manifests.get(repository)?.get(reference);
    if (stored === undefined) {
      if (req.method === 'HEAD') {
        res.writeHead(404, { 'content-type': 'application/json' });
        return void res.end();
      }
      return ociError(
        res,
        404,
        'MANIFEST_UNKNOWN',
        'manifest unknown',
        reference.includes(':') ? undefined : { Tag: reference },
      );
    }
    const headers: Record<string, string | number> = {
      'content-type': stored.mediaType,
      'content-length': stored.body.length,
    };
    if (!(req.method === 'HEAD' && this.omitHeadDigest)) headers['docker-content-digest'] = stored.digest;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : stored.body);
  }

  #blob(req: IncomingMessage, res: ServerResponse, digest: string): void {
    const blob = this.blobs.get(digest);
    if (blob === undefined) {
      if (req.method === 'HEAD') {
        res.writeHead(404);
        return void res.end();
      }
      return ociError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry', digest);
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': blob.length,
      'docker-content-digest': digest,
    });
    res.end(req.method === 'HEAD' ? undefined : blob);
  }

  #upload(req: IncomingMessage, res: ServerResponse, repository: string, id: string, url: URL, body: Buffer): void {
    if (req.method === 'POST' && id === '') {
      res.writeHead(202, {
        location: `/v2/${repository}/blobs/uploads/${randomUUID()}?_state=opaque`,
        'content-length': 0,
      });
      return void res.end();
    }
    if (req.method === 'PUT' && id !== '') {
      const digest = url.searchParams.get('digest') ?? '';
      if (digestOf(body) !== digest)
        return ociError(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
      this.blobs.set(digest, body);
      res.writeHead(201, {
        location: `/v2/${repository}/blobs/${digest}`,
        'docker-content-digest': digest,
        'content-length': 0,
      });
      return void res.end();
    }
    ociError(res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
  }
}
