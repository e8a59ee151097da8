// libs/registry against the real registry's content: tag pagination across pages (Link, n, last; paged by a proxy, as
// distribution 2.8 does not page tags), and malicious or oversize layers pushed as real images and refused by
// extractLayer / readImageFiles.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, extractLayer, parseRegistrySettings, type RegistrySettings } from '@modsync/registry';
import { useEnvironment } from '../env/index.ts';
import {
  craftTar,
  pushImage,
  type PushedImage,
  recorded,
  startProxy,
  summary,
  type TestProxy,
  unique,
} from './registry-support.ts';

const env = useEnvironment();

describe('tag list pagination', () => {
  const path = `paged-${unique()}/modules`;
  const repository = `${path}/module-one/release`;
  const tags = Array.from({ length: 250 }, (_, i) => `v1.${Math.floor(i / 10)}.${i % 10}`);
  let settings: RegistrySettings;
  let paged: RegistrySettings;
  let proxy: TestProxy;

  beforeAll(async () => {
    settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
    await using pusher = createRegistryClient({ requestsPerSecondPerHost: Infinity });
    const image = await pushImage(pusher, settings, repository, tags[0]!, [
      craftTar([{ path: 'version.json', body: '{}' }]),
    ]);
    const { raw } = await pusher.getManifest(settings, repository, image.manifestDigest);
    for (let i = 1; i < tags.length; i += 25) {
      await Promise.all(
        tags
          .slice(i, i + 25)
          .map((tag) =>
            pusher.pushManifest(settings, repository, tag, raw, 'application/vnd.oci.image.manifest.v1+json'),
          ),
      );
    }
    // distribution 2.8 answers a tag list whole, whatever `n` says (pagination of tags came with distribution 3). This
    // proxy pages the real registry's list the way distribution 3 and the OCI spec do: `n`, `last`, `Link: <…>; rel="next"`.
    proxy = await startProxy(env.registry!.host);
    proxy.handle = async (x) => {
      const url = new URL(x.req.url ?? '/', 'http://proxy');
      const upstream = await x.forward();
      if (!url.pathname.endsWith('/tags/list') || upstream.status !== 200) return x.send(upstream);
      const body = JSON.parse(upstream.body.toString('utf8')) as { name: string; tags: string[] };
      const n = Number(url.searchParams.get('n') ?? body.tags.length);
      const last = url.searchParams.get('last');
      const rest = body.tags.sort().filter((t) => last === null || t > last);
      const page = rest.slice(0, n);
      if (rest.length > n)
        upstream.headers.link = `<${url.pathname}?last=${encodeURIComponent(page.at(-1)!)}&n=${n}>; rel="next"`;
      x.send({ ...upstream, body: Buffer.from(JSON.stringify({ name: body.name, tags: page })) });
    };
    paged = parseRegistrySettings({ repo: `${proxy.host}/${path}`, scheme: 'HTTP' });
  });
  afterAll(() => proxy?.close());

  it('the real registry (distribution 2.8) ignores n: one response of 250 tags, taken whole', async () => {
    await using client = createRegistryClient({ tagsPageSize: 100 });
    const run = await recorded(settings.host, () => client.listTags(settings, repository));
    expect([...run.value].sort()).toEqual([...tags].sort());
    expect(summary(run.requests)).toEqual(['list_tags GET 200']);
    expect(new URL(run.requests[0]!.url).searchParams.get('n')).toBe('100');
  });

  it('paged (n, last, Link) with tagsPageSize 100: three pages, every tag once, in order', async () => {
    await using client = createRegistryClient({ tagsPageSize: 100 });
    const run = await recorded(paged.host, () => client.listTags(paged, repository));
    expect(run.value).toEqual([...tags].sort());
    expect(summary(run.requests)).toEqual(Array(3).fill('list_tags GET 200'));
    expect(run.requests.map((r) => new URL(r.url).searchParams.get('n'))).toEqual(['100', '100', '100']);
    expect(run.requests.map((r) => new URL(r.url).searchParams.get('last'))).toEqual([
      null,
      [...tags].sort()[99],
      [...tags].sort()[199],
    ]);
  });

  it('page sizes that divide the count exactly, or not at all, end with every tag', async () => {
    await using client = createRegistryClient();
    for (const pageSize of [125, 250, 7, 1000]) {
      const run = await recorded(paged.host, () => client.listTags(paged, repository, { pageSize }));
      expect(run.value, `pageSize ${pageSize}`).toEqual([...tags].sort());
      expect(run.requests, `pageSize ${pageSize}`).toHaveLength(Math.ceil(250 / pageSize));
    }
  });

  it('more tags than maxTags is RESPONSE_TOO_LARGE, at the page that crosses it (paged or not)', async () => {
    await using client = createRegistryClient({ tagsPageSize: 100 });
    const run = await recorded(paged.host, () =>
      client.listTags(paged, repository, { maxTags: 150 }).catch((e: unknown) => e),
    );
    expect(run.value).toMatchObject({ code: 'MODSYNC_REGISTRY_RESPONSE_TOO_LARGE' });
    expect(run.requests).toHaveLength(2);
    await expect(client.listTags(settings, repository, { maxTags: 150 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_RESPONSE_TOO_LARGE',
    });
  });
});

describe('malicious and oversize layers from the real registry', () => {
  const repository = `layers-${unique()}/modules/evil/release`;
  let settings: RegistrySettings;
  const images = new Map<string, PushedImage>();
  const client = createRegistryClient();
  let work: string;

  const LAYERS: Record<string, () => Buffer> = {
    traversal: () =>
      craftTar([
        { path: 'version.json', body: '{}' },
        { path: '../escaped.txt', body: 'pwned' },
      ]),
    'deep-traversal': () => craftTar([{ path: 'templates/../../../escaped.txt', body: 'pwned' }]),
    absolute: () => craftTar([{ path: '/tmp/modsync-escaped.txt', body: 'pwned' }]),
    'symlink-out': () =>
      gzipSync(
        craftTar([
          { path: 'templates', type: 'SymbolicLink', linkpath: '../../..' },
          { path: 'templates/escaped.txt', body: 'pwned' },
        ]),
      ),
    'hardlink-out': () => craftTar([{ path: 'passwd', type: 'Link', linkpath: '/etc/passwd' }]),
    'big-file': () => gzipSync(craftTar([{ path: 'module.yaml', body: Buffer.alloc(2 * 1024 * 1024, 'a') }])),
    // 64 MiB of zeros in about 64 KiB of gzip.
    'gzip-bomb': () => gzipSync(craftTar([{ path: 'zeros.bin', body: Buffer.alloc(64 * 1024 * 1024) }]), { level: 9 }),
    'many-entries': () =>
      gzipSync(craftTar(Array.from({ length: 3_000 }, (_, i) => ({ path: `f/${i}.txt`, body: 'x' })))),
  };

  beforeAll(async () => {
    settings = parseRegistrySettings({ repo: `${env.registry!.host}/${repository}`, scheme: 'HTTP' });
    work = await mkdtemp(join(tmpdir(), 'modsync-registry-layers-'));
    for (const [tag, make] of Object.entries(LAYERS))
      images.set(tag, await pushImage(client, settings, repository, tag, [make()]));
  });
  afterAll(async () => {
    await client.close();
    await rm(work, { recursive: true, force: true });
  });

  /** Extracts the image's only layer, pulled from the registry, into a fresh dir under `work/<tag>/dest`. */
  async function extract(tag: string, limits: Parameters<typeof extractLayer>[2] = {}) {
    const layer = images.get(tag)!.layers[0]!;
    const dest = join(work, tag, 'dest');
    const blob = await client.getBlob(settings, repository, layer.digest, { expectedSize: layer.size });
    try {
      return await extractLayer(blob, dest, limits);
    } finally {
      blob.destroy();
    }
  }

  it.each([
    ['traversal', 'contains ".."'],
    ['deep-traversal', 'contains ".."'],
    ['absolute', 'is absolute'],
  ])('%s: extractLayer and readImageFiles refuse it (UNSAFE_ARCHIVE), nothing lands outside', async (tag, why) => {
    const err = await extract(tag).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE' });
    expect((err as Error).message).toContain(why);
    expect(await readdir(join(work, tag))).toEqual(['dest']);
    expect(existsSync(join(work, 'escaped.txt'))).toBe(false);
    expect(existsSync('/tmp/modsync-escaped.txt')).toBe(false);
    await expect(client.readImageFiles(settings, repository, tag, { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE',
    });
  });

  it('a symlink out of the layer, then a file written through it: refused before anything is written through it', async () => {
    const err = await extract('symlink-out').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE' });
    expect(await readdir(work)).not.toContain('escaped.txt');
    expect(existsSync(join(tmpdir(), 'escaped.txt'))).toBe(false);
    // In memory, symlinks are ignored: `templates/escaped.txt` is only a name in the map, nothing is written.
    const files = await client.readImageFiles(settings, repository, 'symlink-out', { maxBytes: 1 << 20 });
    expect([...files.keys()]).toEqual(['templates/escaped.txt']);
  });

  it('a hardlink to a file outside the layer is refused', async () => {
    await expect(extract('hardlink-out')).rejects.toMatchObject({ code: 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE' });
    expect(existsSync(join(work, 'hardlink-out', 'dest', 'passwd'))).toBe(false);
  });

  it('a file over maxFileBytes is EXTRACT_LIMIT maxFileBytes (both paths)', async () => {
    await expect(extract('big-file', { maxFileBytes: 1024 * 1024 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
      limit: 'maxFileBytes',
    });
    await expect(
      client.readImageFiles(settings, repository, 'big-file', { maxBytes: 4 << 20, maxFileBytes: 1 << 20 }),
    ).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
      limit: 'maxFileBytes',
    });
    await expect(client.readImageFiles(settings, repository, 'big-file', { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
    });
    // Within the limits it is read.
    expect(
      (await client.readImageFiles(settings, repository, 'big-file', { maxBytes: 4 << 20 })).get('module.yaml'),
    ).toHaveLength(2 * 1024 * 1024);
  });

  it('a gzip bomb stops at the decompressed budget (maxTarBytes / maxLayerBytes), not at the end of the stream', async () => {
    expect(images.get('gzip-bomb')!.layers[0]!.size).toBeLessThan(256 * 1024);
    const err = await extract('gzip-bomb', { maxTotalBytes: 8 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT' });
    expect(['maxTarBytes', 'maxFileBytes']).toContain((err as { limit: string }).limit);
    await expect(
      extract('gzip-bomb', {
        maxFileBytes: 128 * 1024 * 1024,
        maxTotalBytes: 128 * 1024 * 1024,
        maxTarBytes: 4 * 1024 * 1024,
      }),
    ).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
      limit: 'maxTarBytes',
    });
    await expect(
      client.readImageFiles(settings, repository, 'gzip-bomb', {
        maxBytes: 128 << 20,
        maxLayerBytes: 4 << 20,
        filter: (p) => p === 'version.json',
      }),
    ).rejects.toMatchObject({ code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT', limit: 'maxTarBytes' });
  });

  it('too many entries is EXTRACT_LIMIT maxEntries', async () => {
    await expect(extract('many-entries', { maxEntries: 1_000 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
      limit: 'maxEntries',
    });
    await expect(
      client.readImageFiles(settings, repository, 'many-entries', { maxBytes: 1 << 20, maxEntries: 1_000 }),
    ).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
      limit: 'maxEntries',
    });
  });
});
