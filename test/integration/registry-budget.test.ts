// The request budget per registry host shared through real Redis, and the circuit breaker per host, against the real
// registry (a test proxy in front of it counts the requests that reach it and, for the breaker, answers 503).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryClient,
  createRegistryMetrics,
  parseRegistrySettings,
  RegistryCircuitOpenError,
  type RegistryClient,
  type RegistryClientOptions,
  RegistryUnavailableError,
} from '@modsync/registry';
import { createRedis, type RedisClient } from '@modsync/runtime';
import { useEnvironment, waitFor } from '../env/index.ts';
import { craftTar, pushImage, startProxy, type TestProxy, unique } from './registry-support.ts';

const env = useEnvironment();
const repository = `budget-${unique()}/modules/module-one/release`;
const closers: (() => Promise<unknown> | undefined)[] = [];
beforeAll(async () => {
  await using pusher = createRegistryClient({ requestsPerSecondPerHost: Infinity });
  const direct = parseRegistrySettings({ repo: `${env.registry!.host}/${repository}`, scheme: 'HTTP' });
  await pushImage(pusher, direct, repository, 'stable', [
    craftTar([{ path: 'version.json', body: '{"version":"v1.0.0"}' }]),
  ]);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function proxied(): Promise<{ proxy: TestProxy; settings: ReturnType<typeof parseRegistrySettings> }> {
  const proxy = await startProxy(env.registry!.host);
  closers.push(() => proxy.close());
  return { proxy, settings: parseRegistrySettings({ repo: `${proxy.host}/${repository}`, scheme: 'HTTP' }) };
}

function client(options: RegistryClientOptions): RegistryClient {
  const c = createRegistryClient({ retryBaseDelayMs: 5, retryMaxDelayMs: 20, ...options });
  closers.push(() => c.close());
  return c;
}

function redis(name: string): RedisClient {
  const r = createRedis({ target: env.redis!.url, name });
  closers.push(() => {
    r.disconnect();
    return undefined;
  });
  return r;
}

/** `count` HEADs from each client at once, all ended by one signal; resolves once `settled` of them have succeeded. */
function heads(
  clients: readonly RegistryClient[],
  settings: ReturnType<typeof parseRegistrySettings>,
  count: number,
  settled: number,
) {
  const controller = new AbortController();
  let done = 0;
  let reached!: () => void;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const calls = clients.flatMap((c) =>
    Array.from({ length: count }, () =>
      c.headManifest(settings, repository, 'stable', { signal: controller.signal }).then(
        () => {
          if (++done === settled) reached();
          return 'ok' as const;
        },
        (err: unknown) => err,
      ),
    ),
  );
  return { controller, calls, enough };
}

describe('request budget shared through Redis', () => {
  it('two clients on one budget never exceed it together; without the shared store each spends its own', async () => {
    // 6 requests per 6 s window, shared by both clients.
    const { proxy, settings } = await proxied();
    const keyPrefix = `budget-${unique()}`;
    const shared = { requestsPerSecondPerHost: 1, burstPerHost: 6 };
    // Connected first: until its Redis connection is ready a client spends a budget of its own (the fallback).
    const connections = [redis('budget-one'), redis('budget-two')];
    await Promise.all(connections.map((r) => r.ping()));
    const [one, two] = connections.map((r) => client({ ...shared, sharedBudget: { redis: r, keyPrefix } })) as [
      RegistryClient,
      RegistryClient,
    ];
    const run = heads([one, two], settings, 5, 6);
    await run.enough;
    expect(proxy.seen.filter((r) => r.startsWith('HEAD '))).toHaveLength(6);
    run.controller.abort(new Error('window not over'));
    const results = await Promise.all(run.calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(6);
    expect(results.filter((r) => r instanceof Error && r.message === 'window not over')).toHaveLength(4);
    expect(proxy.seen.filter((r) => r.startsWith('HEAD '))).toHaveLength(6);
    // The budget lives in one hash slot: `{<prefix>:registry-budget}:<host>`.
    expect(
      Number(await redis('budget-check').get(`{${keyPrefix}:registry-budget}:${proxy.host}`)),
    ).toBeGreaterThanOrEqual(6);

    // Control: the same two clients each on a budget of its own let all 10 through.
    const control = await proxied();
    const alone = [client(shared), client(shared)];
    const free = heads(alone, control.settings, 5, 10);
    await free.enough;
    expect(control.proxy.seen.filter((r) => r.startsWith('HEAD '))).toHaveLength(10);
  });
});

describe('circuit breaker per host', () => {
  it('opens on a registry that answers 5xx, sends nothing while open, closes after a good probe; metrics follow', async () => {
    const { proxy, settings } = await proxied();
    const metrics = createRegistryMetrics();
    closers.push(() => {
      metrics.close();
      return undefined;
    });
    const c = client({ maxRetries: 1, breakerFailureThreshold: 3, breakerOpenMs: 300, breakerMaxOpenMs: 300 });
    proxy.handle = async (x) => {
      const body = Buffer.from(
        JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'registry in maintenance' }] }),
      );
      x.send({
        status: 503,
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
        body,
      });
    };
    // 2 attempts, both 503: the registry's own words.
    const first = await c.getManifest(settings, repository, 'stable').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RegistryUnavailableError);
    expect((first as Error).message).toContain('UNAVAILABLE: registry in maintenance');
    // The third 503 opens the breaker; the retry is refused without a request.
    const second = await c.getManifest(settings, repository, 'stable').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RegistryCircuitOpenError);
    expect((second as Error).message).toContain(`registry ${proxy.host} paused until `);
    expect((second as Error).message).toContain('(last: HTTP 503)');
    expect(proxy.seen).toHaveLength(3);
    await expect(c.headManifest(settings, repository, 'stable')).rejects.toBeInstanceOf(RegistryCircuitOpenError);
    expect(proxy.seen).toHaveLength(3);
    const host = proxy.host;
    const gauge = async () => (await metrics.circuitOpen.get()).values.find((v) => v.labels.registry === host)?.value;
    const openings = async () =>
      (await metrics.circuitOpenings.get()).values.find((v) => v.labels.registry === host && v.labels.scope === 'host')
        ?.value;
    expect(await gauge()).toBe(1);

    // The registry recovers: once the pause is over, one probe goes through and closes the breaker.
    proxy.handle = async (x) => x.send(await x.forward());
    await waitFor(
      'the probe after the pause',
      async () =>
        await c.getManifest(settings, repository, 'stable').then(
          () => true,
          () => false,
        ),
      10_000,
      100,
    );
    expect(await gauge()).toBe(0);
    expect(await openings()).toBe(1);
  });
});
