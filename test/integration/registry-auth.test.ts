// libs/registry against real CNCF distribution registries: anonymous, htpasswd + TLS with the test CA, and Docker token
// auth with a real token server. Requests are counted on the library's diagnostics channel: an unchanged check is one
// HEAD once the host's auth scheme is known (no `GET /v2/` ping).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryClient,
  parseRegistrySettings,
  type RegistryClient,
  type RegistrySettings,
} from '@modsync/registry';
import { useEnvironment } from '../env/index.ts';
import { startRegistry, startTokenServer, type TestRegistry, type TestTokenServer } from '../env/registry.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';
import { dockerCfg, recorded, summary, unique } from './registry-support.ts';

const env = useEnvironment();

/** Publishes module-one v1.0.0 on stable under a fresh path; returns the release repository and its digest. */
async function publishRelease(client: RegistryClient, settings: RegistrySettings, path: string) {
  const published = await new ModulePublisher(client, settings, path).publish({
    module: 'module-one',
    version: 'v1.0.0',
    channels: ['stable'],
  });
  return { repository: `${path}/module-one/release`, digest: published.releaseDigest };
}

describe('anonymous registry (plain HTTP)', () => {
  const client = createRegistryClient();
  afterAll(() => client.close());

  it('an unchanged check is exactly one HEAD, from the very first one; it sees a moved tag', async () => {
    const path = `anon-${unique()}/modules`;
    const settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
    const { repository, digest } = await publishRelease(client, settings, path);

    const checks = await recorded(settings.host, async () => {
      const heads = [];
      for (let i = 0; i < 5; i++) heads.push(await client.headManifest(settings, repository, 'stable'));
      return heads;
    });
    expect(checks.value.map((h) => h.digest)).toEqual(Array(5).fill(digest));
    expect(checks.value[0]).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    expect(summary(checks.requests)).toEqual(Array(5).fill('head_manifest HEAD 200'));

    const moved = await new ModulePublisher(client, settings, path).publish({
      module: 'module-one',
      version: 'v1.1.0',
      channels: ['stable'],
    });
    expect((await client.headManifest(settings, repository, 'stable')).digest).toBe(moved.releaseDigest);
    expect(moved.releaseDigest).not.toBe(digest);
  });

  it('errors carry the registry’s own code and message in the pullError shape', async () => {
    const path = `anon-missing-${unique()}/modules`;
    const settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
    const { repository } = await publishRelease(client, settings, path);
    const base = `http://${env.registry!.host}/v2`;

    // A HEAD has no body: the library asks once with GET for the registry's words.
    const missingTag = await recorded(settings.host, () =>
      client.headManifest(settings, repository, 'rock-solid').catch((e: unknown) => e),
    );
    expect(missingTag.value).toMatchObject({
      code: 'MODSYNC_REGISTRY_MANIFEST_UNKNOWN',
      statusCode: 404,
      retryable: false,
    });
    expect((missingTag.value as Error).message).toBe(
      `GET ${base}/${repository}/manifests/rock-solid: MANIFEST_UNKNOWN: manifest unknown`,
    );
    expect(summary(missingTag.requests)).toEqual(['head_manifest HEAD 404', 'get_manifest GET 404']);

    const missingRepo = await client.listTags(settings, `${path}/module-nine`).catch((e: unknown) => e);
    expect(missingRepo).toMatchObject({ code: 'MODSYNC_REGISTRY_NAME_UNKNOWN', statusCode: 404 });
    expect((missingRepo as Error).message).toBe(
      `GET ${base}/${path}/module-nine/tags/list?n=1000: NAME_UNKNOWN: repository name not known to registry`,
    );

    const missingBlob = await client.getBlob(settings, repository, `sha256:${'0'.repeat(64)}`).catch((e: unknown) => e);
    expect(missingBlob).toMatchObject({ code: 'MODSYNC_REGISTRY_BLOB_UNKNOWN', statusCode: 404 });
  });
});

describe('htpasswd + TLS registry', () => {
  const client = createRegistryClient();
  afterAll(() => client.close());

  it('learns Basic from the first 401, then an unchanged check is exactly one HEAD carrying the credentials', async () => {
    const secure = env.secureRegistry!;
    const path = `basic-${unique()}/modules`;
    const settings = parseRegistrySettings({
      repo: `${secure.host}/${path}`,
      scheme: 'HTTPS',
      ca: secure.caPem,
      dockerCfg: dockerCfg(secure.host, secure.username, secure.password),
    });
    // A client of its own: the scheme is learnt per client, so the first check shows the 401 round trip.
    const pusher = createRegistryClient();
    const { repository, digest } = await publishRelease(pusher, settings, path).finally(() => pusher.close());

    const first = await recorded(settings.host, () => client.headManifest(settings, repository, 'stable'));
    expect(first.value.digest).toBe(digest);
    expect(summary(first.requests)).toEqual(['head_manifest HEAD 401', 'head_manifest HEAD 200']);

    const later = await recorded(settings.host, async () => {
      for (let i = 0; i < 5; i++)
        expect((await client.headManifest(settings, repository, 'stable')).digest).toBe(digest);
    });
    expect(summary(later.requests)).toEqual(Array(5).fill('head_manifest HEAD 200'));
    expect(client.stats()).toMatchObject({ knownHosts: 1, cachedTokens: 0, trustStores: 1 });
  });

  it('a wrong password is UNAUTHORIZED in the registry’s words and never leaks the password', async () => {
    const secure = env.secureRegistry!;
    const wrong = `wrong-${unique()}`;
    const settings = parseRegistrySettings({
      repo: `${secure.host}/basic-wrong/modules`,
      scheme: 'HTTPS',
      ca: secure.caPem,
      dockerCfg: dockerCfg(secure.host, secure.username, wrong),
    });
    const err = await client
      .headManifest(settings, 'basic-wrong/modules/module-one/release', 'stable')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_UNAUTHORIZED', statusCode: 401, retryable: false });
    expect((err as Error).message).toMatch(/: UNAUTHORIZED: authentication required$/);
    expect(JSON.stringify(err)).not.toContain(wrong);
    expect(String((err as Error).stack)).not.toContain(wrong);
  });

  it('HTTPS to the plain-HTTP registry and HTTP to the TLS one fail fast with typed errors', async () => {
    const tls = parseRegistrySettings({ repo: `${env.registry!.host}/x/modules`, scheme: 'HTTPS' });
    await expect(client.headManifest(tls, 'x/modules/m/release', 'stable')).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_TLS',
    });
    const plain = parseRegistrySettings({ repo: `${env.secureRegistry!.host}/x/modules`, scheme: 'HTTP' });
    await expect(client.headManifest(plain, 'x/modules/m/release', 'stable')).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_UNEXPECTED_STATUS',
      statusCode: 400,
    });
  });
});

describe('token auth registry (real token server, ES256 JWT with x5c)', () => {
  let tokens: TestTokenServer;
  let registry: TestRegistry;
  const username = 'modsync';
  const password = `pw-${unique()}`;
  let settings: RegistrySettings;
  let repository: string;
  let digest: string;

  beforeAll(async () => {
    tokens = await startTokenServer({ dir: env.dir, username, password });
    registry = await startRegistry({
      logDir: env.logDir,
      dir: env.dir,
      name: 'token-registry',
      token: tokens.registryAuth,
    });
    const path = `token-${unique()}/modules`;
    settings = parseRegistrySettings({
      repo: `${registry.host}/${path}`,
      scheme: 'HTTP',
      dockerCfg: dockerCfg(registry.host, username, password),
    });
    const pusher = createRegistryClient();
    ({ repository, digest } = await publishRelease(pusher, settings, path).finally(() => pusher.close()));
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.close();
  });

  it('pushes with a pull,push token (the fixture publisher above) and the token server saw the credentials', () => {
    expect(tokens.requests.length).toBeGreaterThan(0);
    expect(tokens.requests.every((r) => r.status === 200 && r.username === username)).toBe(true);
    expect(tokens.requests.some((r) => r.scopes.some((s) => /^repository:.+:pull,push$/.test(s)))).toBe(true);
  });

  it('control: the registry really verifies the JWT (a forged signature is refused)', async () => {
    const url = new URL(tokens.registryAuth.realm);
    url.searchParams.set('service', tokens.registryAuth.service);
    url.searchParams.set('scope', `repository:${repository}:pull`);
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const { token } = (await (await fetch(url, { headers: { authorization: basic } })).json()) as { token: string };
    const manifest = `http://${registry.host}/v2/${repository}/manifests/stable`;
    const accept = 'application/vnd.oci.image.manifest.v1+json';
    const head = (authorization: string) =>
      fetch(manifest, { method: 'HEAD', headers: { authorization, accept } }).then((r) => r.status);
    const [body, signature] = [token.slice(0, token.lastIndexOf('.')), token.slice(token.lastIndexOf('.') + 1)];
    const forged = Buffer.from(signature, 'base64url');
    forged[5]! ^= 0xff;
    expect(await head(`Bearer ${token}`)).toBe(200);
    expect(await head(`Bearer ${body}.${forged.toString('base64url')}`)).toBe(401);
  });

  it('first check: HEAD 401, one token, HEAD 200; after it an unchanged check is exactly one HEAD', async () => {
    await using client = createRegistryClient();
    const before = tokens.requests.length;
    const first = await recorded(settings.host, () => client.headManifest(settings, repository, 'stable'));
    expect(first.value.digest).toBe(digest);
    expect(summary(first.requests)).toEqual(['head_manifest HEAD 401', 'token GET 200', 'head_manifest HEAD 200']);
    expect(first.tokens).toMatchObject([{ ok: true, scope: `repository:${repository}:pull` }]);

    const later = await recorded(settings.host, async () => {
      for (let i = 0; i < 10; i++)
        expect((await client.headManifest(settings, repository, 'stable')).digest).toBe(digest);
    });
    expect(summary(later.requests)).toEqual(Array(10).fill('head_manifest HEAD 200'));
    expect(later.tokens).toEqual([]);
    expect(tokens.requests.length - before).toBe(1);
    expect(client.stats()).toMatchObject({ knownHosts: 1, cachedTokens: 1 });
  });

  it('concurrent first checks share one token fetch', async () => {
    await using client = createRegistryClient();
    const before = tokens.requests.length;
    const run = await recorded(settings.host, () =>
      Promise.all(Array.from({ length: 8 }, () => client.headManifest(settings, repository, 'stable'))),
    );
    expect(run.value.map((h) => h.digest)).toEqual(Array(8).fill(digest));
    expect(run.tokens).toHaveLength(1);
    expect(tokens.requests.length - before).toBe(1);
    expect(run.requests.filter((r) => r.op === 'head_manifest' && r.statusCode === 200)).toHaveLength(8);
  });

  it('reads tags, manifests and files with the token; a token of one repository is not reused for another', async () => {
    await using client = createRegistryClient();
    const path = settings.pathPrefix;
    expect(await client.listTags(settings, path)).toEqual(['module-one']);
    expect((await client.listTags(settings, repository)).sort()).toEqual(['stable', 'v1.0.0']);
    const files = await client.readImageFiles(settings, repository, 'stable', { maxBytes: 1 << 20 });
    expect(JSON.parse(files.get('version.json')!.toString())).toEqual({ version: 'v1.0.0' });
    // Scopes asked: the catalog repo, the release repo (manifests and blobs share it).
    expect(client.stats().cachedTokens).toBe(2);
  });

  it('a wrong password or no credentials: the token server refuses and the check is UNAUTHORIZED', async () => {
    await using client = createRegistryClient();
    const wrongPassword = `wrong-${unique()}`;
    const wrong = parseRegistrySettings({
      repo: settings.repo,
      scheme: 'HTTP',
      dockerCfg: dockerCfg(registry.host, username, wrongPassword),
    });
    const err = await client.headManifest(wrong, repository, 'stable').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_UNAUTHORIZED', statusCode: 401, retryable: false });
    expect((err as Error).message).toContain(`GET ${tokens.registryAuth.realm}?service=`);
    expect(JSON.stringify(err)).not.toContain(wrongPassword);

    const anonymous = parseRegistrySettings({ repo: settings.repo, scheme: 'HTTP' });
    await expect(client.headManifest(anonymous, repository, 'stable')).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_UNAUTHORIZED',
    });
  });
});
