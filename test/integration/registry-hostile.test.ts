// libs/registry against a hostile path to the real registry: a test proxy in front of it tampers with blobs and
// manifests, answers 429 with Retry-After, stalls headers or bodies, and resets connections.
import { text } from 'node:stream/consumers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryClient,
  parseRegistrySettings,
  type RegistryClientOptions,
  type RegistrySettings,
} from '@modsync/registry';
import { sleep } from '@modsync/runtime/backoff';
import { useEnvironment } from '../env/index.ts';
import { tarGz } from '../fixtures/module-artifacts.ts';
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
const VERSION_JSON = '{"version":"v1.0.0"}';
const TAMPERED_JSON = '{"version":"v6.6.6"}';

let proxy: TestProxy;
let direct: RegistrySettings;
let viaProxy: RegistrySettings;
const repository = `hostile-${unique()}/modules/module-one/release`;
let plain: PushedImage;
let gzipped: PushedImage;

const isBlob = (url: string | undefined) => /\/blobs\/sha256:/.test(url ?? '');
const isManifest = (url: string | undefined) => /\/manifests\//.test(url ?? '');

beforeAll(async () => {
  const host = env.registry!.host;
  direct = parseRegistrySettings({ repo: `${host}/${repository}`, scheme: 'HTTP' });
  await using pusher = createRegistryClient();
  // An uncompressed tar layer can be tampered with and stay a valid tar: the dangerous case.
  plain = await pushImage(pusher, direct, repository, 'plain', [
    craftTar([{ path: 'version.json', body: VERSION_JSON }]),
  ]);
  gzipped = await pushImage(pusher, direct, repository, 'gzipped', [
    await tarGz({ 'version.json': VERSION_JSON, 'padding.txt': 'x'.repeat(4096) }),
  ]);
  proxy = await startProxy(host);
  viaProxy = parseRegistrySettings({ repo: `${proxy.host}/${repository}`, scheme: 'HTTP' });
});
afterAll(() => proxy?.close());
afterEach(() => {
  proxy.handle = async (x) => x.send(await x.forward());
});

const clients: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});
function newClient(options: RegistryClientOptions = {}) {
  const client = createRegistryClient({ retryBaseDelayMs: 10, retryMaxDelayMs: 50, ...options });
  clients.push(client);
  return client;
}

describe('tampered content (test proxy) is rejected', () => {
  it('control: through an honest proxy the files are read', async () => {
    const client = newClient();
    const files = await client.readImageFiles(viaProxy, repository, 'plain', { maxBytes: 1 << 20 });
    expect(files.get('version.json')?.toString()).toBe(VERSION_JSON);
  });

  it('a blob whose bytes were swapped (same size, still a valid tar) fails with DIGEST_MISMATCH, files are not returned', async () => {
    const client = newClient();
    proxy.handle = async (x) => {
      const upstream = await x.forward();
      if (isBlob(x.req.url))
        upstream.body = Buffer.from(upstream.body.toString('latin1').replace(VERSION_JSON, TAMPERED_JSON), 'latin1');
      x.send(upstream);
    };
    const layer = plain.layers[0]!;
    const blob = await client.getBlob(viaProxy, repository, layer.digest, { expectedSize: layer.size });
    const err = await text(blob).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH', expected: layer.digest, retryable: false });
    expect((err as { actual: string }).actual).not.toBe(layer.digest);

    await expect(client.readImageFiles(viaProxy, repository, 'plain', { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH',
    });
    // The same bytes straight from the registry are fine.
    expect(
      (await client.readImageFiles(direct, repository, 'plain', { maxBytes: 1 << 20 })).get('version.json')?.toString(),
    ).toBe(VERSION_JSON);
  });

  it('a gzip layer with one flipped byte is rejected: raw reads say DIGEST_MISMATCH, extraction never yields files', async () => {
    const client = newClient();
    proxy.handle = async (x) => {
      const upstream = await x.forward();
      if (isBlob(x.req.url) && upstream.body.length > 100) upstream.body[Math.floor(upstream.body.length / 2)]! ^= 0x01;
      x.send(upstream);
    };
    const layer = gzipped.layers[0]!;
    const raw = await client.getBlob(viaProxy, repository, layer.digest);
    await expect(text(raw)).rejects.toMatchObject({ code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH', expected: layer.digest });
    // Whichever notices first, the inflater or the digest, the image is refused.
    const err = await client
      .readImageFiles(viaProxy, repository, 'gzipped', { maxBytes: 1 << 20 })
      .catch((e: unknown) => e);
    expect(['MODSYNC_REGISTRY_DIGEST_MISMATCH', 'MODSYNC_REGISTRY_BAD_ARCHIVE']).toContain(
      (err as { code?: string }).code,
    );
  });

  it('a manifest altered in transit fails with DIGEST_MISMATCH, by tag (Docker-Content-Digest) and by digest', async () => {
    const client = newClient();
    proxy.handle = async (x) => {
      const upstream = await x.forward();
      if (isManifest(x.req.url) && x.req.method === 'GET')
        upstream.body = Buffer.from(upstream.body.toString('utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
      x.send(upstream);
    };
    await expect(client.getManifest(viaProxy, repository, 'plain')).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH',
      expected: plain.manifestDigest,
    });
    await expect(client.getManifest(viaProxy, repository, plain.manifestDigest)).rejects.toMatchObject({
      code: 'MODSYNC_REGISTRY_DIGEST_MISMATCH',
      expected: plain.manifestDigest,
    });
  });
});

describe('429 Too Many Requests with Retry-After (test proxy)', () => {
  function rateLimit(times: number, retryAfter: string) {
    let left = times;
    proxy.handle = async (x) => {
      if (left-- > 0) {
        x.res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'application/json' });
        x.res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }));
        return;
      }
      x.send(await x.forward());
    };
  }

  it('waits the Retry-After seconds, then the check succeeds', async () => {
    const client = newClient();
    rateLimit(1, '1');
    const started = performance.now();
    const run = await recorded(viaProxy.host, () => client.headManifest(viaProxy, repository, 'plain'));
    const elapsed = performance.now() - started;
    expect(run.value.digest).toBe(plain.manifestDigest);
    expect(summary(run.requests)).toEqual(['head_manifest HEAD 429', 'head_manifest HEAD 200']);
    expect(run.retries).toMatchObject([{ statusCode: 429, delayMs: 1000 }]);
    expect(elapsed).toBeGreaterThanOrEqual(990);
  });

  it('an HTTP-date Retry-After is honoured too', async () => {
    const client = newClient();
    rateLimit(1, new Date(Date.now() + 2_000).toUTCString());
    const started = performance.now();
    const run = await recorded(viaProxy.host, () => client.getManifest(viaProxy, repository, 'plain'));
    expect(run.value.digest).toBe(plain.manifestDigest);
    expect(run.retries).toHaveLength(1);
    expect(run.retries[0]!.delayMs).toBeGreaterThan(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(run.retries[0]!.delayMs - 10);
  });

  it('a Retry-After longer than maxRetryAfterMs fails at once with RATE_LIMITED (retryable, retryAfterMs set)', async () => {
    const client = newClient({ maxRetryAfterMs: 5_000 });
    rateLimit(1, '3600');
    const started = performance.now();
    const run = await recorded(viaProxy.host, () =>
      client.getManifest(viaProxy, repository, 'plain').catch((e: unknown) => e),
    );
    expect(run.value).toMatchObject({
      code: 'MODSYNC_REGISTRY_RATE_LIMITED',
      retryable: true,
      statusCode: 429,
      retryAfterMs: 3_600_000,
    });
    expect((run.value as Error).message).toBe(
      `GET http://${proxy.host}/v2/${repository}/manifests/plain: TOOMANYREQUESTS: slow down`,
    );
    expect(summary(run.requests)).toEqual(['get_manifest GET 429']);
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('a steady 429 gives up after maxRetries with RATE_LIMITED', async () => {
    const client = newClient({ maxRetries: 2 });
    rateLimit(100, '0');
    const run = await recorded(viaProxy.host, () =>
      client.headManifest(viaProxy, repository, 'plain').catch((e: unknown) => e),
    );
    expect(run.value).toMatchObject({ code: 'MODSYNC_REGISTRY_RATE_LIMITED', retryable: true });
    expect(summary(run.requests)).toEqual(Array(3).fill('head_manifest HEAD 429'));
  });
});

describe('slow and broken responses (test proxy)', () => {
  function stallHeaders(match: (method: string | undefined, url: string | undefined) => boolean) {
    proxy.handle = async (x) => {
      if (match(x.req.method, x.req.url)) await sleep(30_000, x.signal);
      x.send(await x.forward());
    };
  }

  it('a GET whose headers never come times out per attempt and is retried: TIMEOUT, retryable', async () => {
    const client = newClient({ requestTimeoutMs: 300, maxRetries: 1 });
    stallHeaders((method, url) => method === 'GET' && isManifest(url));
    const started = performance.now();
    const run = await recorded(viaProxy.host, () =>
      client.getManifest(viaProxy, repository, 'plain').catch((e: unknown) => e),
    );
    const elapsed = performance.now() - started;
    expect(run.value).toMatchObject({ code: 'MODSYNC_REGISTRY_TIMEOUT', retryable: true, method: 'GET' });
    expect(summary(run.requests)).toEqual(['get_manifest GET timeout', 'get_manifest GET timeout']);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('a stalled HEAD times out (undici headersTimeout, about 1 s granularity); the next check on the same client works', async () => {
    const client = newClient({ requestTimeoutMs: 500, maxRetries: 0 });
    stallHeaders((method) => method === 'HEAD');
    const started = performance.now();
    const err = await client.headManifest(viaProxy, repository, 'plain').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MODSYNC_REGISTRY_TIMEOUT', retryable: true });
    expect(performance.now() - started).toBeLessThan(5_000);

    proxy.handle = async (x) => x.send(await x.forward());
    expect((await client.headManifest(viaProxy, repository, 'plain')).digest).toBe(plain.manifestDigest);
  });

  it('a blob body that stops half way fails the stream with TIMEOUT after bodyTimeoutMs', async () => {
    const client = newClient({ bodyTimeoutMs: 500 });
    proxy.handle = async (x) => {
      const upstream = await x.forward();
      if (!isBlob(x.req.url) || x.req.method !== 'GET') return x.send(upstream);
      x.res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(upstream.body.length),
      });
      x.res.write(upstream.body.subarray(0, upstream.body.length >> 1));
      await sleep(30_000, x.signal).catch(() => {});
    };
    const layer = gzipped.layers[0]!;
    const started = performance.now();
    const blob = await client.getBlob(viaProxy, repository, layer.digest, { expectedSize: layer.size });
    await expect(text(blob)).rejects.toMatchObject({ code: 'MODSYNC_REGISTRY_TIMEOUT', retryable: true });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a connection reset before the response is retried and the check succeeds', async () => {
    const client = newClient();
    let resets = 1;
    proxy.handle = async (x) => {
      if (resets-- > 0) {
        x.req.socket.destroy();
        return;
      }
      x.send(await x.forward());
    };
    const run = await recorded(viaProxy.host, () => client.headManifest(viaProxy, repository, 'plain'));
    expect(run.value.digest).toBe(plain.manifestDigest);
    expect(summary(run.requests)).toEqual(['head_manifest HEAD network', 'head_manifest HEAD 200']);
  });
});
