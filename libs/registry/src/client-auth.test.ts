// Auth flows against a scripted registry on a real loopback socket: request counts prove the scheme is learnt once.
import { inspect } from 'node:util';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClientOptions } from './index.ts';
import { RegistryDeniedError, RegistryUnauthorizedError } from './errors.ts';
import { MediaTypes } from './manifest/media-types.ts';
import { parseRegistrySettings } from './settings.ts';
import { buildImage, dockerCfg, seedImage, startFakeRegistry } from './test-support/fixture.ts';
import type { FakeAuth } from './test-support/fake-registry.ts';
import { ociError, startServer, type TestServer } from './test-support/http-server.ts';

const REPO = 'deckhouse/modules/module-one/release';
const SECRET = 'hunter2-secret';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(auth: FakeAuth, credentials?: Record<string, string>, options: RegistryClientOptions = {}) {
  const reg = await startFakeRegistry(auth);
  const client = createRegistryClient({ retryBaseDelayMs: 1, retryMaxDelayMs: 5, ...options });
  cleanups.push(
    () => reg.close(),
    () => client.close(),
  );
  const settings = parseRegistrySettings({
    repo: `${reg.server.host}/deckhouse/modules`,
    scheme: 'HTTP',
    dockerCfg: credentials === undefined ? undefined : dockerCfg(reg.server.host, credentials),
  });
  const image = buildImage({ 'version.json': '{"version":"v1.0.0"}' });
  seedImage(reg.fake, REPO, 'stable', image);
  return { reg, client, settings, image };
}

describe('basic auth', () => {
  it('learns Basic from the first 401, then sends credentials up front: one HEAD per check', async () => {
    const { reg, client, settings, image } = await setup(
      { kind: 'basic', username: 'robot', password: SECRET },
      { username: 'robot', password: SECRET },
    );
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.map((r) => [r.method, r.headers.authorization !== undefined])).toEqual([
      ['HEAD', false],
      ['HEAD', true],
    ]);
    const before = reg.server.requests.length;
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.length - before).toBe(1);
    expect(reg.count({ path: /^\/v2\/?(?:\?|$)/ })).toBe(0); // never a /v2/ ping
  });

  it('fails with UNAUTHORIZED on wrong credentials, not retried, secret not printed', async () => {
    const { reg, client, settings } = await setup(
      { kind: 'basic', username: 'robot', password: SECRET },
      { username: 'robot', password: 'wrong-pass' },
    );
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnauthorizedError);
    expect((err as Error).message).toBe(
      `GET ${reg.server.origin}/v2/${REPO}/manifests/stable: UNAUTHORIZED: authentication required`,
    );
    expect(reg.server.requests).toHaveLength(2);
    expect(inspect(err, { depth: 6 })).not.toContain('wrong-pass');
  });

  it('fails with UNAUTHORIZED when a Basic registry gets no credentials', async () => {
    const { client, settings } = await setup({ kind: 'basic', username: 'robot', password: SECRET });
    await expect(client.headManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryUnauthorizedError);
  });
});

describe('bearer token auth', () => {
  it('an unchanged check costs exactly one HEAD once the token is cached', async () => {
    const { reg, client, settings, image } = await setup({ kind: 'bearer' });
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      `HEAD /v2/${REPO}/manifests/stable`,
      'GET /token',
      `HEAD /v2/${REPO}/manifests/stable`,
    ]);
    for (let i = 0; i < 3; i++) {
      const before = reg.server.requests.length;
      expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
      expect(reg.server.requests.length - before).toBe(1);
    }
    expect(reg.fake.tokenRequests).toBe(1);
  });

  it('asks the realm for service and scope, with Basic credentials when it has them', async () => {
    const { reg, client, settings } = await setup(
      { kind: 'bearer', username: 'robot', password: SECRET, service: 'my-registry' },
      { auth: Buffer.from(`robot:${SECRET}`).toString('base64') },
    );
    await client.headManifest(settings, REPO, 'stable');
    const token = reg.server.requests.find((r) => r.url.startsWith('/token'))!;
    const url = new URL(token.url, 'http://x');
    expect(url.searchParams.get('service')).toBe('my-registry');
    expect(url.searchParams.getAll('scope')).toEqual([`repository:${REPO}:pull`]);
    expect(token.headers.authorization).toBe(`Basic ${Buffer.from(`robot:${SECRET}`).toString('base64')}`);
  });

  it('a new repository on a known host costs one token fetch and one request, no 401', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' });
    seedImage(reg.fake, 'deckhouse/modules/module-two/release', 'stable', buildImage({}));
    await client.headManifest(settings, REPO, 'stable');
    const before = reg.server.requests.length;
    await client.headManifest(settings, 'deckhouse/modules/module-two/release', 'stable');
    expect(
      reg.server.requests.slice(before).map((r) => r.method + (r.url.startsWith('/token') ? ' token' : '')),
    ).toEqual(['GET token', 'HEAD']);
  });

  it('concurrent callers share one token fetch', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' });
    await client.listTags(settings, 'deckhouse/modules/module-one/release'); // learn the scheme
    const tokensBefore = reg.fake.tokenRequests;
    seedImage(reg.fake, 'deckhouse/modules/module-two/release', 'stable', buildImage({}));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => client.headManifest(settings, 'deckhouse/modules/module-two/release', 'stable')),
    );
    expect(new Set(results.map((r) => r.digest)).size).toBe(1);
    expect(reg.fake.tokenRequests - tokensBefore).toBe(1);
  });

  it('concurrent first callers on an unknown host fetch the token once per scope', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' });
    await Promise.all(Array.from({ length: 10 }, () => client.headManifest(settings, REPO, 'stable')));
    expect(reg.fake.tokenRequests).toBe(1);
  });

  it('refreshes a token the registry stopped accepting, and goes on', async () => {
    const { reg, client, settings, image } = await setup({ kind: 'bearer' });
    await client.headManifest(settings, REPO, 'stable');
    reg.fake.tokens.clear(); // revoked / expired on the registry side
    const before = reg.server.requests.length;
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.length - before).toBe(3); // HEAD 401, token, HEAD
    expect(reg.fake.tokenRequests).toBe(2);
  });

  it('uses a push scope for uploads', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' });
    const image = buildImage({ a: 'b' });
    await client.pushBlob(settings, 'deckhouse/modules/new', image.config);
    await client.pushBlob(settings, 'deckhouse/modules/new', image.layer);
    await client.pushManifest(settings, 'deckhouse/modules/new', 'v1.0.0', image.manifest, MediaTypes.OCI_MANIFEST);
    const scopes = reg.server.requests
      .filter((r) => r.url.startsWith('/token'))
      .map((r) => new URL(r.url, 'http://x').searchParams.getAll('scope'));
    expect(scopes).toEqual([['repository:deckhouse/modules/new:pull,push', 'repository:deckhouse/modules/new:pull']]);
    expect(await client.listTags(settings, 'deckhouse/modules/new')).toEqual(['v1.0.0']);
  });

  it('fails with UNAUTHORIZED when the token service refuses the credentials', async () => {
    const { reg, client, settings } = await setup(
      { kind: 'bearer', username: 'robot', password: SECRET },
      { username: 'robot', password: 'nope-pass' },
    );
    const err = await client.headManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnauthorizedError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^GET ${reg.server.origin}/token\\?service=fake-registry&scope=.*: UNAUTHORIZED: invalid username or password$`,
      ),
    );
    expect(inspect(err, { depth: 6 })).not.toContain('nope-pass');
  });

  it('retries a token service 503, then succeeds', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' });
    let failures = 1;
    reg.fake.intercept = (req, res) => {
      if (req.url?.startsWith('/token') && failures-- > 0) {
        ociError(res, 503, 'UNAVAILABLE', 'try later');
        return true;
      }
      return false;
    };
    await client.headManifest(settings, REPO, 'stable');
    expect(reg.count({ path: '/token' })).toBe(2);
  });

  it('sends a registrytoken as is, and exchanges an identitytoken with an OAuth2 POST', async () => {
    const direct = await setup({ kind: 'none' }, { registrytoken: SECRET });
    await direct.client.headManifest(direct.settings, REPO, 'stable');
    expect(direct.reg.server.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);

    const oauth = await setup({ kind: 'bearer' }, { identitytoken: SECRET });
    oauth.reg.fake.intercept = (req, _res, body) => {
      if (req.method === 'POST' && req.url === '/token') {
        const form = new URLSearchParams(body.toString());
        expect(form.get('grant_type')).toBe('refresh_token');
        expect(form.get('refresh_token')).toBe(SECRET);
        expect(form.get('scope')).toBe(`repository:${REPO}:pull`);
        req.url = `/token?scope=${encodeURIComponent(form.get('scope')!)}`;
      }
      return false;
    };
    await oauth.client.headManifest(oauth.settings, REPO, 'stable');
    expect(oauth.reg.server.requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'HEAD']);
  });

  it('keeps the token cache bounded', async () => {
    const { reg, client, settings } = await setup({ kind: 'bearer' }, undefined, { maxTokenCacheEntries: 2 });
    for (let i = 0; i < 5; i++) {
      seedImage(reg.fake, `deckhouse/modules/m${i}`, 'stable', buildImage({}));
      await client.headManifest(settings, `deckhouse/modules/m${i}`, 'stable');
    }
    expect(client.stats().cachedTokens).toBe(2);
    expect(client.stats().knownHosts).toBe(1);
  });

  it('maps 403 to DENIED', async () => {
    const { reg, client, settings } = await setup({ kind: 'none' });
    reg.server.handler = (_req, res) => ociError(res, 403, 'DENIED', 'requested access to the resource is denied');
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryDeniedError);
    expect((err as Error).message).toContain('DENIED: requested access to the resource is denied');
  });
});

describe('redirects', () => {
  let cdn: TestServer;
  it('follows a blob redirect to another origin without sending credentials there', async () => {
    const { reg, client, settings } = await setup(
      { kind: 'basic', username: 'robot', password: SECRET },
      { username: 'robot', password: SECRET },
    );
    const blob = Buffer.from('layer bytes from the CDN');
    const digest = reg.fake.putBlob(blob);
    cdn = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.end(blob);
    });
    cleanups.push(() => cdn.close());
    reg.fake.intercept = (req, res) => {
      if (req.url?.includes('/blobs/') && req.headers.authorization !== undefined) {
        res.writeHead(307, { location: `${cdn.origin}/storage/${digest}?sig=abc` });
        res.end();
        return true;
      }
      return false;
    };
    expect(await text(await client.getBlob(settings, REPO, digest))).toBe(blob.toString());
    expect(cdn.requests).toHaveLength(1);
    expect(cdn.requests[0]?.headers.authorization).toBeUndefined();
    expect(cdn.requests[0]?.url).toBe(`/storage/${digest}?sig=abc`);
  });
});
