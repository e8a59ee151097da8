// Failures scripted on real loopback sockets: 5xx, 429 + Retry-After, resets, refusals, slow responses, TLS, limits.
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer } from 'node:net';
import { text } from 'node:stream/consumers';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.ts';
import type { RegistryClientOptions } from './options.ts';
import { REGISTRY_CHANNELS, type RegistryRequestMessage } from './diagnostics.ts';
import {
  RegistryCircuitOpenError,
  RegistryRateLimitedError,
  RegistryTimeoutError,
  RegistryTlsError,
  RegistryUnavailableError,
  RegistryUnexpectedStatusError,
} from './errors.ts';
import { createRegistryMetrics } from './metrics.ts';
import { parseRegistrySettings } from './settings.ts';
import { buildImage, type FakeRegistryServer, seedImage, startFakeRegistry } from './test-support/fixture.ts';
import { ociError } from './test-support/http-server.ts';
import { makeTestPki, type TestPki } from './test-support/tls.ts';

const REPO = 'deckhouse/modules/module-one/release';
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(options: RegistryClientOptions = {}, tls?: TestPki) {
  const reg = await startFakeRegistry({ kind: 'none' }, tls);
  const client = createRegistryClient({ retryBaseDelayMs: 1, retryMaxDelayMs: 5, ...options });
  cleanups.push(
    () => reg.close(),
    () => client.close(),
  );
  const settings = parseRegistrySettings({
    repo: `${reg.server.host}/deckhouse/modules`,
    scheme: tls === undefined ? 'HTTP' : 'HTTPS',
    ca: tls?.caPem,
  });
  const image = buildImage({ 'version.json': '{"version":"v1.0.0"}' });
  seedImage(reg.fake, REPO, 'stable', image);
  return { reg, client, settings, image };
}

/** Answer the first `n` registry requests with `respond`, then let the fake registry answer. */
function failFirst(
  reg: FakeRegistryServer,
  n: number,
  respond: (res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage) => void,
): void {
  let left = n;
  reg.fake.intercept = (req, res) => {
    if (left <= 0) return false;
    left--;
    respond(res, req);
    return true;
  };
}

describe('retries', () => {
  it('retries a 500, then succeeds (two requests)', async () => {
    const { reg, client, settings, image } = await setup();
    failFirst(reg, 1, (res) => ociError(res, 500, 'UNKNOWN', 'boom'));
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries on a steady 503: UNAVAILABLE, retryable, in the registry words', async () => {
    const { reg, client, settings } = await setup({ maxRetries: 2 });
    failFirst(reg, 100, (res) => ociError(res, 503, 'UNAVAILABLE', 'service unavailable'));
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect(err).toMatchObject({ retryable: true, statusCode: 503, code: 'MODSYNC_REGISTRY_UNAVAILABLE' });
    expect((err as Error).message).toBe(
      `GET ${reg.server.origin}/v2/${REPO}/manifests/stable: UNAVAILABLE: service unavailable`,
    );
    expect(reg.server.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const { reg, client, settings } = await setup();
    failFirst(reg, 100, (res) => ociError(res, 400, 'MANIFEST_INVALID', 'manifest invalid'));
    await expect(client.getManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryUnexpectedStatusError);
    expect(reg.server.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    const { reg, client, settings, image } = await setup();
    failFirst(reg, 1, (res) => {
      res.setHeader('retry-after', '1');
      ociError(res, 429, 'TOOMANYREQUESTS', 'slow down');
    });
    const t0 = performance.now();
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(reg.server.requests).toHaveLength(2);
  });

  it('fails at once when Retry-After exceeds maxRetryAfterMs, carrying it', async () => {
    const { reg, client, settings } = await setup({ maxRetryAfterMs: 10_000 });
    failFirst(reg, 100, (res) => {
      res.setHeader('retry-after', '3600');
      ociError(res, 429, 'TOOMANYREQUESTS', 'slow down');
    });
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryRateLimitedError);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3_600_000, statusCode: 429 });
    expect(reg.server.requests).toHaveLength(1);
  });

  it('retries after a connection reset', async () => {
    const { reg, client, settings, image } = await setup();
    failFirst(reg, 2, (res, req) => {
      res.destroy();
      req.socket.destroy();
    });
    expect((await client.getManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests).toHaveLength(3);
  });

  it('reports a refused connection as UNAVAILABLE after its retries', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = createRegistryClient({ maxRetries: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 2 });
    cleanups.push(() => client.close());
    const seen: RegistryRequestMessage[] = [];
    const onRequest = (m: unknown) => seen.push(m as RegistryRequestMessage);
    diagnosticsChannel.subscribe(REGISTRY_CHANNELS.request, onRequest);
    try {
      const settings = parseRegistrySettings({ repo: `127.0.0.1:${port}/x`, scheme: 'HTTP' });
      const err = await client.headManifest(settings, 'x/y', 'stable').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RegistryUnavailableError);
      expect(err).toMatchObject({ transportCode: 'ECONNREFUSED', retryable: true });
      expect((err as Error).message).toContain(`HEAD http://127.0.0.1:${port}/v2/x/y/manifests/stable: `);
      expect(seen.filter((m) => m.registry === `127.0.0.1:${port}`).map((m) => [m.attempt, m.outcome])).toEqual([
        [1, 'network'],
        [2, 'network'],
        [3, 'network'],
      ]);
    } finally {
      diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.request, onRequest);
    }
  });
});

describe('timeouts and abort', () => {
  it('times out a slow response per attempt, retries, then fails with TIMEOUT', async () => {
    const { reg, client, settings } = await setup({ requestTimeoutMs: 100, maxRetries: 1 });
    failFirst(reg, 100, () => {
      /* never answer */
    });
    const t0 = performance.now();
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryTimeoutError);
    expect(err).toMatchObject({
      retryable: true,
      code: 'MODSYNC_REGISTRY_TIMEOUT',
      transportCode: 'MODSYNC_ATTEMPT_TIMEOUT',
    });
    expect((err as Error).message).toBe(
      `GET ${reg.server.origin}/v2/${REPO}/manifests/stable: timeout: no complete response within 100 ms`,
    );
    expect(reg.server.requests).toHaveLength(2);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('times out a HEAD through undici headersTimeout (coarse, about 1 s granularity)', async () => {
    const { reg, client, settings } = await setup({ requestTimeoutMs: 100, maxRetries: 0 });
    failFirst(reg, 100, () => {});
    const t0 = performance.now();
    const err = await client.headManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryTimeoutError);
    expect(err).toMatchObject({ transportCode: 'UND_ERR_HEADERS_TIMEOUT', retryable: true });
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('stops retrying at the operation deadline', async () => {
    const { reg, client, settings } = await setup({ requestTimeoutMs: 100, operationTimeoutMs: 250, maxRetries: 50 });
    failFirst(reg, 1000, () => {});
    const t0 = performance.now();
    await expect(client.getManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryTimeoutError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(reg.server.requests.length).toBeLessThanOrEqual(3);
  });

  it('fails a blob stream that stalls mid-body (bodyTimeoutMs)', async () => {
    const { reg, client, settings } = await setup({ bodyTimeoutMs: 150 });
    const blob = Buffer.alloc(10_000, 1);
    const digest = reg.fake.putBlob(blob);
    reg.fake.intercept = (_req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 100)); // then nothing
      return true;
    };
    const stream = await client.getBlob(settings, REPO, digest);
    const err = await text(stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryTimeoutError);
    expect(err).toMatchObject({ transportCode: 'UND_ERR_BODY_TIMEOUT', retryable: true, reference: digest });
    expect(client.stats().limiters).toBe(1);
  });

  it('reports a reset in the middle of a blob as UNAVAILABLE on the stream', async () => {
    const { reg, client, settings } = await setup();
    const blob = Buffer.alloc(10_000, 1);
    const digest = reg.fake.putBlob(blob);
    reg.fake.intercept = (req, res) => {
      res.writeHead(200, { 'content-length': blob.length });
      res.write(blob.subarray(0, 100), () => setTimeout(() => req.socket.destroy(), 20));
      return true;
    };
    const err = await text(await client.getBlob(settings, REPO, digest)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as RegistryUnavailableError).transportCode).toBe('UND_ERR_SOCKET');
  });

  it('rejects with the signal reason when aborted, promptly', async () => {
    const { reg, client, settings } = await setup();
    failFirst(reg, 100, () => {});
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('shutting down')), 50);
    const t0 = performance.now();
    await expect(client.headManifest(settings, REPO, 'stable', { signal: ac.signal })).rejects.toThrow('shutting down');
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('aborts a retry wait', async () => {
    const { reg, client, settings } = await setup({ retryBaseDelayMs: 5000, retryMaxDelayMs: 5000 });
    failFirst(reg, 100, (res) => ociError(res, 503, 'UNAVAILABLE', 'x'));
    await expect(
      client.headManifest(settings, REPO, 'stable', { signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(reg.server.requests).toHaveLength(1);
  });
});

describe('connection reuse', () => {
  // undici may open a second pooled socket when a request is dispatched before the previous socket is marked idle;
  // what matters is that the count does not grow with the number of checks.
  it.each([
    { keepAliveAfterHead: true, max: 2 },
    { keepAliveAfterHead: false, max: 10 },
  ])(
    '10 sequential HEADs with keepAliveAfterHead=$keepAliveAfterHead open at most $max connection(s)',
    async ({ keepAliveAfterHead, max }) => {
      const { reg, client, settings } = await setup({ keepAliveAfterHead });
      for (let i = 0; i < 10; i++) await client.headManifest(settings, REPO, 'stable');
      expect(reg.server.connections).toBeLessThanOrEqual(max);
      if (!keepAliveAfterHead) expect(reg.server.connections).toBe(10);
    },
  );

  it('reuses TLS connections between checks', async () => {
    const { reg, client, settings } = await setup({}, pki);
    for (let i = 0; i < 10; i++) await client.headManifest(settings, REPO, 'stable');
    await client.getManifest(settings, REPO, 'stable');
    expect(reg.server.connections).toBeLessThanOrEqual(2);
  });
});

describe('per-host limits', () => {
  it('never has more than maxConcurrentPerHost requests in flight, shared by all callers', async () => {
    const { reg, client, settings } = await setup({ maxConcurrentPerHost: 3 });
    const inner = reg.fake.handler;
    reg.server.handler = async (req, res, body) => {
      await new Promise((r) => setTimeout(r, 20));
      await inner(req, res, body);
    };
    await Promise.all(Array.from({ length: 20 }, () => client.headManifest(settings, REPO, 'stable')));
    expect(reg.server.maxInFlight).toBe(3);
  });

  it('spends a request budget per host: the request past it waits for the next window', async () => {
    // 5 requests per 5 s window.
    const { reg, client, settings } = await setup({ requestsPerSecondPerHost: 1, burstPerHost: 5 });
    const controller = new AbortController();
    const calls = Array.from({ length: 6 }, () =>
      client.headManifest(settings, REPO, 'stable', { signal: controller.signal }).then(
        () => 'done',
        (e: unknown) => e,
      ),
    );
    await Promise.all(calls.slice(0, 5));
    expect(reg.server.requests).toHaveLength(5);
    controller.abort(new Error('enough'));
    expect(await calls[5]).toMatchObject({ message: 'enough' });
    expect(reg.server.requests).toHaveLength(5);
  });

  it('fails fast when the per-host queue is full', async () => {
    const { reg, client, settings } = await setup({ maxConcurrentPerHost: 1, maxQueuedPerHost: 1 });
    failFirst(reg, 1, (res) => setTimeout(() => ociError(res, 500, 'X', 'x'), 100));
    const calls = Array.from({ length: 3 }, () =>
      client.headManifest(settings, REPO, 'stable').catch((e: unknown) => e),
    );
    const results = await Promise.all(calls);
    expect(results.some((r) => r instanceof RegistryUnavailableError && r.transportCode === 'MODSYNC_QUEUE_FULL')).toBe(
      true,
    );
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive 5xx: later calls fail at once without reaching the host, and the gauge says so', async () => {
    const { reg, client, settings } = await setup({
      maxRetries: 0,
      breakerFailureThreshold: 2,
      breakerOpenMs: 60_000,
      breakerMaxOpenMs: 60_000,
    });
    const register = new Registry();
    const metrics = createRegistryMetrics({ register });
    cleanups.push(async () => metrics.close());
    failFirst(reg, 100, (res) => ociError(res, 503, 'UNAVAILABLE', 'maintenance'));
    for (let i = 0; i < 2; i++)
      await expect(client.headManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryUnavailableError);
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryCircuitOpenError);
    expect(err).toMatchObject({ retryable: true, code: 'MODSYNC_REGISTRY_CIRCUIT_OPEN', registry: reg.server.host });
    expect((err as Error).message).toContain(`registry ${reg.server.host} paused until `);
    expect((err as Error).message).toContain('(last: HTTP 503)');
    expect(reg.server.requests).toHaveLength(2);
    const out = await register.metrics();
    expect(out).toContain(`modsync_registry_circuit_open{registry="${reg.server.host}"} 1`);
    expect(out).toContain(`modsync_registry_circuit_openings_total{registry="${reg.server.host}",scope="host"} 1`);
    // The repository's own breaker opened with the host's: its failures were the host's only answers.
    expect(out).toContain(
      `modsync_registry_circuit_openings_total{registry="${reg.server.host}",scope="repository"} 1`,
    );
  });

  it('pauses a failing repository alone while the host answers its other repositories', async () => {
    const { reg, client, settings, image } = await setup({
      maxRetries: 0,
      breakerFailureThreshold: 2,
      breakerOpenMs: 60_000,
      breakerMaxOpenMs: 60_000,
    });
    const other = 'deckhouse/modules/module-two/release';
    seedImage(reg.fake, other, 'stable', image);
    const register = new Registry();
    const metrics = createRegistryMetrics({ register });
    cleanups.push(async () => metrics.close());
    reg.fake.intercept = (req, res) => {
      if (!req.url!.startsWith(`/v2/${REPO}/`)) return false;
      ociError(res, 500, 'UNKNOWN', 'blob store exploded');
      return true;
    };
    expect((await client.headManifest(settings, other, 'stable')).digest).toBe(image.manifestDigest);
    for (let i = 0; i < 2; i++)
      await expect(client.headManifest(settings, REPO, 'stable')).rejects.toBeInstanceOf(RegistryUnavailableError);
    const err = await client.getManifest(settings, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryCircuitOpenError);
    expect((err as Error).message).toContain(`repository ${reg.server.host}/${REPO} paused until `);
    expect((err as Error).message).toContain('(last: HTTP 500)');
    // The host had as many failures (the threshold) but answered within a pause: the other repository goes on.
    expect((await client.getManifest(settings, other, 'stable')).digest).toBe(image.manifestDigest);
    expect(reg.server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `HEAD /v2/${other}/manifests/stable`,
      `HEAD /v2/${REPO}/manifests/stable`,
      `HEAD /v2/${REPO}/manifests/stable`,
      `GET /v2/${other}/manifests/stable`,
    ]);
    const out = await register.metrics();
    expect(out).toContain(`modsync_registry_repositories_paused{registry="${reg.server.host}"} 1`);
    expect(out).toContain(
      `modsync_registry_circuit_openings_total{registry="${reg.server.host}",scope="repository"} 1`,
    );
    expect(out).not.toContain(`modsync_registry_circuit_open{registry="${reg.server.host}"} 1`);
  });
});

describe('TLS', () => {
  it('trusts the source CA for that source only; an unknown CA is a TLS error, not retried', async () => {
    const { reg, client, settings, image } = await setup({}, pki);
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    const noCa = parseRegistrySettings({ repo: `${reg.server.host}/deckhouse/modules` });
    const before = reg.server.requests.length;
    const err = await client.headManifest(noCa, REPO, 'stable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryTlsError);
    expect(err).toMatchObject({ retryable: false, code: 'MODSYNC_REGISTRY_TLS' });
    expect(reg.server.requests.length).toBe(before);
    expect(client.stats().trustStores).toBe(2);
  });

  it('reports HTTPS against a plain HTTP port as a TLS error', async () => {
    const { reg, client } = await setup();
    const wrong = parseRegistrySettings({ repo: `${reg.server.host}/deckhouse/modules`, scheme: 'HTTPS' });
    await expect(client.headManifest(wrong, REPO, 'stable')).rejects.toBeInstanceOf(RegistryTlsError);
  });
});

describe('metrics and diagnostics', () => {
  it('counts requests by registry/op/status, retries, bytes and latency', async () => {
    const { reg, client, settings, image } = await setup();
    const register = new Registry();
    const metrics = createRegistryMetrics({ register });
    cleanups.push(async () => metrics.close());
    failFirst(reg, 1, (res) => ociError(res, 502, 'BAD_GATEWAY', 'x'));
    await client.headManifest(settings, REPO, 'stable');
    await client.getManifest(settings, REPO, 'stable');
    const out = await register.metrics();
    const host = reg.server.host;
    expect(out).toContain(`modsync_registry_requests_total{registry="${host}",op="head_manifest",status="502"} 1`);
    expect(out).toContain(`modsync_registry_requests_total{registry="${host}",op="head_manifest",status="200"} 1`);
    expect(out).toContain(`modsync_registry_requests_total{registry="${host}",op="get_manifest",status="200"} 1`);
    expect(out).toContain(`modsync_registry_retries_total{registry="${host}",op="head_manifest"} 1`);
    expect(out).toContain(
      `modsync_registry_bytes_total{registry="${host}",op="get_manifest",direction="in"} ${image.manifest.length}`,
    );
    expect(out).toContain(`modsync_registry_request_duration_seconds_count{registry="${host}",op="head_manifest"} 2`);
    metrics.close();
    await client.headManifest(settings, REPO, 'stable');
    expect(await register.metrics()).toContain(
      `modsync_registry_requests_total{registry="${host}",op="head_manifest",status="200"} 1`,
    );
  });

  it('counts streamed blob bytes once the blob is read', async () => {
    const { reg, client, settings } = await setup();
    const metrics = createRegistryMetrics();
    cleanups.push(async () => metrics.close());
    const digest = reg.fake.putBlob(Buffer.alloc(12_345, 7));
    await text(await client.getBlob(settings, REPO, digest));
    const value = (await metrics.bytes.get()).values.find((v) => v.labels.op === 'get_blob');
    expect(value?.value).toBe(12_345);
  });
});
