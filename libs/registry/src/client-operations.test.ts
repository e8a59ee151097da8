// Operations against an in-memory registry on a real loopback socket.
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClient } from './client.ts';
import { sha256Digest } from './digest.ts';
import {
  RegistryBadResponseError,
  RegistryDigestMismatchError,
  RegistryExtractLimitError,
  RegistryInvalidOptionError,
  RegistryManifestUnknownError,
  RegistryNameUnknownError,
  RegistryPlatformNotFoundError,
  RegistryResponseTooLargeError,
} from './errors.ts';
import { MediaTypes } from './manifest/media-types.ts';
import { parseRegistrySettings, type RegistrySettings } from './settings.ts';
import { buildImage, type FakeRegistryServer, seedImage, startFakeRegistry } from './test-support/fixture.ts';

const REPO = 'deckhouse/modules/module-one/release';
let reg: FakeRegistryServer;
let client: RegistryClient;
let settings: RegistrySettings;

beforeEach(async () => {
  reg = await startFakeRegistry();
  settings = parseRegistrySettings({ repo: `${reg.server.host}/deckhouse/modules`, scheme: 'HTTP' });
  client = createRegistryClient({ retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
});
afterEach(async () => {
  await client.close();
  await reg.close();
});

describe('push and pull round trip', () => {
  it('pushes blobs and a manifest, then reads them back', async () => {
    const image = buildImage({ 'version.json': '{"version":"v1.2.3"}', 'changelog.yaml': 'features:\n- x\n' });
    expect(await client.pushBlob(settings, REPO, image.config)).toEqual({
      digest: sha256Digest(image.config),
      size: image.config.length,
    });
    expect(await client.pushBlob(settings, REPO, image.layer)).toEqual({
      digest: sha256Digest(image.layer),
      size: image.layer.length,
    });
    expect(await client.pushManifest(settings, REPO, 'stable', image.manifest, MediaTypes.OCI_MANIFEST)).toEqual({
      digest: image.manifestDigest,
    });

    expect(await client.headManifest(settings, REPO, 'stable')).toEqual({
      digest: image.manifestDigest,
      mediaType: MediaTypes.OCI_MANIFEST,
      size: image.manifest.length,
    });
    const got = await client.getManifest(settings, REPO, 'stable');
    expect(got.digest).toBe(image.manifestDigest);
    expect(got.raw.equals(image.manifest)).toBe(true);
    expect(got.manifest.layers[0]?.digest).toBe(sha256Digest(image.layer));
    expect(got.index).toBeUndefined();
    expect(await client.listTags(settings, REPO)).toEqual(['stable']);

    const files = await client.readImageFiles(settings, REPO, 'stable', { maxBytes: 1024 });
    expect(Object.fromEntries([...files].map(([k, v]) => [k, v.toString()]))).toEqual({
      'version.json': '{"version":"v1.2.3"}',
      'changelog.yaml': 'features:\n- x\n',
    });
  });

  it('skips the upload of a blob the registry has (one HEAD)', async () => {
    const blob = Buffer.from('already there');
    await client.pushBlob(settings, REPO, blob);
    const before = reg.server.requests.length;
    await client.pushBlob(settings, REPO, blob);
    expect(reg.server.requests.slice(before).map((r) => r.method)).toEqual(['HEAD']);
  });

  it('uploads with HEAD, POST, then a monolithic PUT carrying the digest', async () => {
    const blob = Buffer.from('new blob');
    await client.pushBlob(settings, REPO, blob);
    const calls = reg.server.requests.map((r) => `${r.method} ${r.url.replace(/uploads\/[^?]+/, 'uploads/<id>')}`);
    expect(calls).toEqual([
      `HEAD /v2/${REPO}/blobs/${sha256Digest(blob)}`,
      `POST /v2/${REPO}/blobs/uploads/`,
      `PUT /v2/${REPO}/blobs/uploads/<id>?_state=opaque&digest=${encodeURIComponent(sha256Digest(blob))}`,
    ]);
    expect(reg.fake.blobs.get(sha256Digest(blob))?.toString()).toBe('new blob');
  });

  it('pushes a manifest by digest and refuses bytes that do not match it', async () => {
    const image = buildImage({ a: '1' });
    seedImage(reg.fake, REPO, 'x', image);
    await expect(
      client.pushManifest(settings, REPO, image.manifestDigest, image.manifest, MediaTypes.OCI_MANIFEST),
    ).resolves.toEqual({
      digest: image.manifestDigest,
    });
    await expect(
      client.pushManifest(settings, REPO, image.manifestDigest, Buffer.from('{}'), MediaTypes.OCI_MANIFEST),
    ).rejects.toBeInstanceOf(RegistryDigestMismatchError);
  });
});

describe('listTags', () => {
  it('follows Link pagination with n', async () => {
    const image = buildImage({ a: '1' });
    const tags = Array.from({ length: 25 }, (_, i) => `v1.0.${String(i).padStart(2, '0')}`);
    for (const t of tags) seedImage(reg.fake, 'deckhouse/modules', t, image);
    expect(await client.listTags(settings, 'deckhouse/modules', { pageSize: 10 })).toEqual(tags);
    const pages = reg.server.requests.filter((r) => r.url.includes('/tags/list'));
    expect(pages.map((r) => r.url)).toEqual([
      '/v2/deckhouse/modules/tags/list?n=10',
      '/v2/deckhouse/modules/tags/list?last=v1.0.09&n=10',
      '/v2/deckhouse/modules/tags/list?last=v1.0.19&n=10',
    ]);
  });

  it('follows an absolute next link and stops on a repeated one', async () => {
    let calls = 0;
    reg.server.handler = (_req, res) => {
      calls++;
      res.writeHead(200, {
        'content-type': 'application/json',
        link: `<${reg.server.origin}/v2/x/tags/list?page=2>; rel="next"`,
      });
      res.end(JSON.stringify({ name: 'x', tags: [`t${calls}`] }));
    };
    expect(await client.listTags(settings, 'x')).toEqual(['t1', 't2']);
  });

  it('fails past maxTags', async () => {
    for (const t of ['a', 'b', 'c']) seedImage(reg.fake, 'x', t, buildImage({}));
    await expect(client.listTags(settings, 'x', { maxTags: 2 })).rejects.toBeInstanceOf(RegistryResponseTooLargeError);
  });

  it('treats "tags": null as no tags', async () => {
    reg.server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"name":"x","tags":null}');
    };
    expect(await client.listTags(settings, 'x')).toEqual([]);
  });

  it('reports an unknown repository with the registry code', async () => {
    const err = await client.listTags(settings, 'deckhouse/modules/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryNameUnknownError);
    expect((err as Error).message).toBe(
      `GET ${reg.server.origin}/v2/deckhouse/modules/nope/tags/list?n=1000: NAME_UNKNOWN: repository name not known to registry`,
    );
  });

  it('validates its options', async () => {
    await expect(client.listTags(settings, 'x', { pageSize: 0 })).rejects.toBeInstanceOf(RegistryInvalidOptionError);
  });
});

describe('headManifest / getManifest', () => {
  it('reports a missing tag in DKP pullError shape (HEAD, then one GET for the body)', async () => {
    seedImage(reg.fake, REPO, 'alpha', buildImage({}));
    const err = await client.headManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryManifestUnknownError);
    const e = err as RegistryManifestUnknownError;
    expect(e.message).toBe(`GET ${reg.server.origin}/v2/${REPO}/manifests/stable: MANIFEST_UNKNOWN: manifest unknown`);
    expect(e).toMatchObject({
      code: 'MODSYNC_REGISTRY_MANIFEST_UNKNOWN',
      retryable: false,
      registry: reg.server.host,
      repository: REPO,
      reference: 'stable',
      statusCode: 404,
      method: 'GET',
      registryErrors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'stable' } }],
    });
    expect(reg.server.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('falls back to GET when HEAD has no Docker-Content-Digest', async () => {
    const image = buildImage({ a: '1' });
    seedImage(reg.fake, REPO, 'stable', image);
    reg.fake.omitHeadDigest = true;
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('reads Docker v2 manifests', async () => {
    const image = buildImage({ a: '1' }, MediaTypes.DOCKER_MANIFEST);
    seedImage(reg.fake, REPO, 'stable', image, MediaTypes.DOCKER_MANIFEST);
    const got = await client.getManifest(settings, REPO, 'stable');
    expect(got.mediaType).toBe(MediaTypes.DOCKER_MANIFEST);
    expect(got.manifest.config.mediaType).toBe(MediaTypes.DOCKER_CONFIG);
  });

  it.each([MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST_LIST])(
    'resolves an index (%s) to linux/amd64',
    async (indexType) => {
      const amd = buildImage({ arch: 'amd64' });
      const arm = buildImage({ arch: 'arm64' });
      seedImage(reg.fake, REPO, 'amd', amd);
      seedImage(reg.fake, REPO, 'arm', arm);
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: indexType,
          manifests: [
            {
              mediaType: MediaTypes.OCI_MANIFEST,
              digest: arm.manifestDigest,
              size: arm.manifest.length,
              platform: { os: 'linux', architecture: 'arm64' },
            },
            {
              mediaType: MediaTypes.OCI_MANIFEST,
              digest: amd.manifestDigest,
              size: amd.manifest.length,
              platform: { os: 'linux', architecture: 'amd64' },
            },
          ],
        }),
      );
      const indexDigest = reg.fake.putManifest(REPO, 'stable', index, indexType);
      expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(indexDigest);
      const got = await client.getManifest(settings, REPO, 'stable');
      expect(got.digest).toBe(amd.manifestDigest);
      expect(got.index?.digest).toBe(indexDigest);
      expect(got.index?.manifest.manifests).toHaveLength(2);
      const arm64 = await client.getManifest(settings, REPO, 'stable', {
        platform: { os: 'linux', architecture: 'arm64' },
      });
      expect(arm64.digest).toBe(arm.manifestDigest);
      const files = await client.readImageFiles(settings, REPO, 'stable', { maxBytes: 100 });
      expect(files.get('arch')?.toString()).toBe('amd64');
      await expect(
        client.getManifest(settings, REPO, 'stable', { platform: { os: 'windows', architecture: 'amd64' } }),
      ).rejects.toBeInstanceOf(RegistryPlatformNotFoundError);
    },
  );

  it('rejects manifest content that does not match the digest asked for', async () => {
    const image = buildImage({ a: '1' });
    reg.server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': MediaTypes.OCI_MANIFEST });
      res.end(image.manifest.toString().replace('"schemaVersion":2', '"schemaVersion": 2'));
    };
    await expect(client.getManifest(settings, REPO, image.manifestDigest)).rejects.toBeInstanceOf(
      RegistryDigestMismatchError,
    );
  });

  it('rejects a tag whose body does not match its Docker-Content-Digest', async () => {
    const image = buildImage({ a: '1' });
    reg.server.handler = (_req, res) => {
      res.writeHead(200, {
        'content-type': MediaTypes.OCI_MANIFEST,
        'docker-content-digest': sha256Digest(Buffer.from('other')),
      });
      res.end(image.manifest);
    };
    await expect(client.getManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryDigestMismatchError);
  });

  it.each([
    {
      name: 'schema 1',
      body: '{"schemaVersion":1,"name":"x","fsLayers":[]}',
      type: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
      message: 'schema 1',
    },
    { name: 'not JSON', body: 'nope', type: MediaTypes.OCI_MANIFEST, message: 'not JSON' },
    {
      name: 'missing config',
      body: '{"schemaVersion":2,"layers":[]}',
      type: MediaTypes.OCI_MANIFEST,
      message: 'config',
    },
    {
      name: 'bad layer digest',
      body: `{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:${'a'.repeat(64)}","size":1},"layers":[{"mediaType":"x","digest":"md5:1","size":1}]}`,
      type: MediaTypes.OCI_MANIFEST,
      message: 'layers.0.digest',
    },
  ])('rejects an invalid manifest: $name', async ({ body, type, message }) => {
    reg.server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryBadResponseError);
    expect((err as Error).message).toContain(message);
  });

  it('refuses a manifest over maxManifestBytes', async () => {
    const small = createRegistryClient({ maxManifestBytes: 100 });
    try {
      seedImage(reg.fake, REPO, 'stable', buildImage({ a: '1' }));
      await expect(small.getManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryResponseTooLargeError);
    } finally {
      await small.close();
    }
  });
});

describe('getBlob', () => {
  it('streams a blob and verifies its digest', async () => {
    const blob = Buffer.from('x'.repeat(100_000));
    const digest = reg.fake.putBlob(blob);
    expect(await text(await client.getBlob(settings, REPO, digest, { expectedSize: blob.length }))).toBe(
      blob.toString(),
    );
  });

  it('fails the stream on a tampered blob', async () => {
    const digest = sha256Digest(Buffer.from('the real content'));
    reg.fake.blobs.set(digest, Buffer.from('tampered content'));
    const stream = await client.getBlob(settings, REPO, digest);
    const err = await text(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryDigestMismatchError);
    expect(err).toMatchObject({
      code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH',
      expected: digest,
      actual: sha256Digest(Buffer.from('tampered content')),
    });
  });

  it('fails the stream when the size differs from the descriptor', async () => {
    const digest = reg.fake.putBlob(Buffer.from('12345'));
    await expect(text(await client.getBlob(settings, REPO, digest, { expectedSize: 4 }))).rejects.toBeInstanceOf(
      RegistryDigestMismatchError,
    );
    await expect(text(await client.getBlob(settings, REPO, digest, { expectedSize: 6 }))).rejects.toBeInstanceOf(
      RegistryDigestMismatchError,
    );
  });

  it('rejects a tampered layer during readImageFiles, and enforces maxBytes', async () => {
    const image = buildImage({ 'version.json': '{"version":"v1.0.0"}' });
    seedImage(reg.fake, REPO, 'stable', image);
    await expect(client.readImageFiles(settings, REPO, 'stable', { maxBytes: 5 })).rejects.toBeInstanceOf(
      RegistryExtractLimitError,
    );
    const other = buildImage({ 'version.json': '{"version":"v6.6.6"}' });
    reg.fake.blobs.set(sha256Digest(image.layer), other.layer);
    await expect(client.readImageFiles(settings, REPO, 'stable', { maxBytes: 1024 })).rejects.toBeInstanceOf(
      RegistryDigestMismatchError,
    );
    await expect(client.readImageFiles(settings, REPO, 'stable', {} as never)).rejects.toBeInstanceOf(
      RegistryInvalidOptionError,
    );
  });
});
