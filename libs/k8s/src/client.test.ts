// KubeClient's transport on real loopback sockets: Retry-After, the proxy environment and proxy-url, watch decoding.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setEnv, startForwardProxy } from '@modsync/registry/test-support/forward-proxy';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.ts';
import { KubeApiError } from './errors.ts';
import { kubeConfigFromString } from './kubeconfig.ts';
import { ModuleConfigs } from './resources.ts';
import type { ModuleConfig } from './types.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () => new Promise((resolve) => server.close(resolve)),
    () => server.closeAllConnections(),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A plain-HTTP "API server" answering with `handler`; requests are counted. */
async function apiServer(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => unknown,
): Promise<{ host: string; requests: string[] }> {
  const requests: string[] = [];
  const host = await listen(
    createServer((req, res) => void handler(req, res, requests.push(`${req.method} ${req.url}`))),
  );
  return { host, requests };
}

function kubeconfig(host: string, cluster: Record<string, unknown> = {}): string {
  return JSON.stringify({
    clusters: [{ name: 'c', cluster: { server: `http://${host}`, 'insecure-skip-tls-verify': true, ...cluster } }],
    users: [{ name: 'u', user: { token: 'secret' } }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

async function client(host: string, cluster: Record<string, unknown> = {}, options = {}): Promise<KubeClient> {
  const kube = await KubeClient.create(kubeConfigFromString(kubeconfig(host, cluster)), {
    minBackoffMs: 1,
    maxBackoffMs: 5,
    ...options,
  });
  cleanups.push(() => kube.close());
  return kube;
}

const version = (res: ServerResponse) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"gitVersion":"v1.36.0"}');

describe('KubeClient retries', () => {
  it('honours Retry-After on 429 and sends the token client-node applied', async () => {
    const auth: string[] = [];
    const api = await apiServer((req, res, n) => {
      auth.push(req.headers.authorization!);
      if (n === 1)
        return res
          .writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
          .end('{"kind":"Status","reason":"TooManyRequests","message":"slow down"}');
      version(res);
    });
    const kube = await client(api.host);
    const t0 = performance.now();
    expect(await kube.serverVersion()).toEqual({ gitVersion: 'v1.36.0' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(api.requests).toEqual(['GET /version', 'GET /version']);
    expect(auth).toEqual(['Bearer secret', 'Bearer secret']);
  });

  it('fails at once, carrying it, when Retry-After is longer than maxRetryAfterMs', async () => {
    const api = await apiServer((_req, res) =>
      res
        .writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' })
        .end('{"kind":"Status","reason":"TooManyRequests","message":"slow down"}'),
    );
    const kube = await client(api.host, {}, { maxRetryAfterMs: 10_000 });
    const err = await kube.serverVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({
      statusCode: 429,
      reason: 'TooManyRequests',
      serverMessage: 'slow down',
      retryAfterMs: 3_600_000,
    });
    expect(api.requests).toHaveLength(1);
  });
});

describe('KubeClient proxies', () => {
  it('goes through HTTP_PROXY, and not for a host in NO_PROXY', async () => {
    const api = await apiServer((_req, res) => version(res));
    const proxy = await startForwardProxy();
    cleanups.push(
      () => proxy.close(),
      setEnv({ HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: '', no_proxy: '' }),
    );
    await (await client(api.host)).serverVersion();
    expect(proxy.targets.length).toBe(1);
    expect(proxy.targets[0]).toContain(api.host);
    cleanups.push(setEnv({ NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' }));
    await (await client(api.host)).serverVersion();
    expect(proxy.targets.length).toBe(1);
    expect(api.requests).toEqual(['GET /version', 'GET /version']);
  });

  it('goes through the cluster’s proxy-url', async () => {
    const api = await apiServer((_req, res) => version(res));
    const proxy = await startForwardProxy();
    cleanups.push(() => proxy.close());
    await (await client(api.host, { 'proxy-url': proxy.url })).serverVersion();
    expect(proxy.targets.length).toBe(1);
    expect(proxy.targets[0]).toContain(api.host);
  });
});

describe('KubeClient.watch', () => {
  it('decodes events sent one byte a chunk without splitting a character', async () => {
    const settings = { greeting: 'Привет, мир', mood: '🙂🚀', mixed: 'ä€𝄞' };
    const object: ModuleConfig = {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name: 'm', resourceVersion: '2' },
      spec: { enabled: true, settings },
    };
    const api = await apiServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const byte of Buffer.from(`${JSON.stringify({ type: 'ADDED', object })}\n`)) {
        res.write(Buffer.from([byte]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const kube = await client(api.host);
    const events = [];
    for await (const event of kube.watch(ModuleConfigs, { resourceVersion: '1' })) events.push(event);
    expect(events).toHaveLength(1);
    expect(Buffer.from(JSON.stringify(events[0]!.object.spec!.settings))).toEqual(
      Buffer.from(JSON.stringify(settings)),
    );
  });

  it('throws the server’s ERROR event as a KubeApiError (410 Expired: list again)', async () => {
    const api = await apiServer((_req, res) =>
      res
        .writeHead(200)
        .end(
          '{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (5)"}}\n',
        ),
    );
    const kube = await client(api.host);
    const consume = async () => {
      for await (const _ of kube.watch(ModuleConfigs, { resourceVersion: '1' }));
    };
    await expect(consume()).rejects.toMatchObject({
      statusCode: 410,
      reason: 'Expired',
      serverMessage: 'too old resource version: 1 (5)',
    });
  });
});
