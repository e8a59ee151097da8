// R4: the registry misbehaves for some modules, through a fault proxy in front of the run's registry (the test proxy of
// test/integration/registry-support.ts): 429 with Retry-After, 500s, connection resets, a 50 MB manifest, a manifest
// whose bytes do not match its digest, a blob cut short after a slow start. What must hold: each faulty module gets a
// pullError naming the cause, the healthy source beside them syncs and is released and goes on syncing, the syncer's
// memory stays bounded, and its retries and the faulty repositories' pauses (the backoff) show in its metrics. All
// sources name the one proxy, one registry host: a faulty module's repository is paused by a circuit breaker of its
// own, the host's stays closed while it answers the others (docs/operations.md#registry-circuit-breakers).
import { describe, expect, it } from 'vitest';
import { ModuleSources } from '@modsync/k8s';
import { counterSum } from '../../bench/util.ts';
import { startRedis } from '../env/redis.ts';
import { startProxy, type TestProxy } from '../integration/registry-support.ts';
import { recordScenario } from './summary.ts';
import { chaosEnv, timeUntil, useCleanups, World } from './support.ts';

const env = chaosEnv();
const suffix = Date.now().toString(36);
const cleanup = useCleanups();
/** One request through the proxy (its handler's argument). */
type ProxyExchange = Parameters<TestProxy['handle']>[0];
/** The syncer's resident memory after the faults, at most (a 50 MB manifest must not be read whole). */
const RSS_BOUND_BYTES = 400 * 1024 * 1024;

/** Per source index: the fault and the pullError it must give (source 0 is healthy). */
const FAULTS: Array<{ name: string; cause: RegExp; inject: (x: ProxyExchange) => Promise<void> | void }> = [
  {
    name: '429 with Retry-After',
    cause: /429|rate/i,
    inject: (x) => {
      x.res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      x.res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    },
  },
  {
    name: '500',
    cause: /500/,
    inject: (x) => {
      x.res.writeHead(500, { 'content-type': 'text/plain' });
      x.res.end('upstream exploded');
    },
  },
  { name: 'connection reset', cause: /reset|socket|closed|ECONN/i, inject: (x) => void x.req.socket.destroy() },
  {
    name: '50 MB manifest',
    cause: /larger|limit|too large|bytes/i,
    inject: (x) => {
      if (!x.req.url!.includes('/manifests/') || x.req.method !== 'GET') return x.forward().then((u) => x.send(u));
      x.res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(50 << 20),
      });
      x.res.end(Buffer.alloc(50 << 20, 0x20));
    },
  },
  {
    name: 'manifest bytes not matching the digest',
    cause: /digest/i,
    inject: async (x) => {
      const upstream = await x.forward();
      if (x.req.url!.includes('/manifests/') && x.req.method === 'GET')
        upstream.body = Buffer.from(upstream.body.toString().replace('"schemaVersion":2', '"schemaVersion": 2'));
      x.send(upstream);
    },
  },
  {
    name: 'blob cut short after a slow start',
    cause: /timed out|timeout|closed|terminated|premature|length|digest|socket/i,
    inject: async (x) => {
      const upstream = await x.forward();
      if (!x.req.url!.includes('/blobs/') || x.req.method !== 'GET') return x.send(upstream);
      x.res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(upstream.body.length),
      });
      x.res.write(upstream.body.subarray(0, Math.floor(upstream.body.length / 2)));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      x.req.socket.destroy();
    },
  },
];

describe('R4: registry faults through a fault proxy', () => {
  it('a pullError with the cause per faulty module; the healthy source synced; memory bounded; retries in metrics', async () => {
    const redis = await startRedis({ logDir: env.logDir, name: `r4-redis-${suffix}`, password: true });
    cleanup(() => redis.stop());
    const proxy = await startProxy(env.registry!.host);
    cleanup(() => proxy.close());
    const world = new World({
      id: `r4-${suffix}`,
      sources: FAULTS.length + 1,
      redisEnv: { MODSYNC_REDIS_URL: redis.url },
      syncers: 1,
      appliers: 1,
      sourceRegistry: () => proxy.host,
    });
    cleanup(() => world.stop());
    // The faults hit only what is under a faulty source's module (its release image); listings pass through.
    const faultOf = new Map(FAULTS.map((fault, i) => [`/${world.moduleOf(world.sourceNames[i + 1]!)}/`, fault]));
    proxy.handle = async (x) => {
      const fault = [...faultOf].find(([path]) => x.req.url!.includes(path))?.[1];
      if (fault) return fault.inject(x);
      x.send(await x.forward());
    };
    await world.start('v1.0.0');
    const healthy = world.sourceNames[0]!;
    const causes = async () => {
      const found: string[] = [];
      for (const [i, fault] of FAULTS.entries()) {
        const source = world.sourceNames[i + 1]!;
        const module = (await world.kube.get(ModuleSources, source))?.status?.modules?.find(
          (m) => m.name === world.moduleOf(source),
        );
        if (module?.pullError && fault.cause.test(module.pullError)) found.push(fault.name);
      }
      return found;
    };
    const settledMs = await timeUntil(
      async () => (await world.converged('v1.0.0', [healthy])) && (await causes()).length === FAULTS.length,
      90_000,
    );
    // Then the faulty repositories' own breakers open (their pause is the backoff past the retries); the host's stays
    // closed, and the healthy source beside them on that host goes on syncing.
    const syncerMetrics = async () => (await fetch(`${world.syncers[0]!.url}/metrics`)).text();
    const openings = (metrics: string, scope: 'host' | 'repository') =>
      counterSum(metrics, 'modsync_registry_circuit_openings_total', { scope });
    const RATE_AND_SERVER_FAULTS = 3;
    const pausedMs = await timeUntil(
      async () => openings(await syncerMetrics(), 'repository') >= RATE_AND_SERVER_FAULTS,
      60_000,
    );
    const pausedAt = Date.now();
    const healthySyncedAfter = await timeUntil(async () => {
      const status = (await world.kube.get(ModuleSources, healthy))?.status;
      const ready = status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return ready && Date.parse(status?.syncTime ?? '') > pausedAt;
    }, 30_000);
    const metrics = await syncerMetrics();
    const rss = counterSum(metrics, 'modsync_process_resident_memory_bytes');
    const retries = counterSum(metrics, 'modsync_registry_retries_total');
    const statuses = await Promise.all(
      world.sourceNames
        .slice(1)
        .map(async (s) => `${s}: ${JSON.stringify((await world.kube.get(ModuleSources, s))?.status?.modules)}`),
    );
    const found = await causes();
    const problems = [
      ...(settledMs === undefined
        ? [`not settled within 90 s: causes found for ${found.join(', ') || 'none'}; ${statuses.join('; ')}`]
        : []),
      ...((await world.converged('v1.0.0', [healthy])) ? [] : ['the healthy source was not synced and released']),
      ...(rss > 0 && rss < RSS_BOUND_BYTES ? [] : [`syncer RSS ${rss} bytes (bound ${RSS_BOUND_BYTES})`]),
      ...(retries > 0 ? [] : ['no registry retry in the syncer metrics']),
      ...(pausedMs === undefined
        ? [
            `${openings(metrics, 'repository')} repository breakers opened, want the ${RATE_AND_SERVER_FAULTS} faulty ones`,
          ]
        : []),
      ...(openings(metrics, 'host') === 0
        ? []
        : [`the host's breaker opened ${openings(metrics, 'host')} times: the healthy module was paused too`]),
      ...(healthySyncedAfter === undefined ? ['the healthy source was not synced (Ready) after the pauses'] : []),
      ...world.exited().map((r) => `${r} exited`),
    ];
    await recordScenario(env.dir, {
      scenario: `R4 registry faults (${FAULTS.length} kinds; RSS ${Math.round(rss / 2 ** 20)} MiB, ${retries} retries, ${openings(metrics, 'repository')} repository pauses)`,
      runs: 1,
      failures: problems.length > 0 ? 1 : 0,
      recoveryMs: settledMs === undefined ? [] : [settledMs],
    });
    expect(problems).toEqual([]);
  });
});

describe('R4: a catalogue of 10,000 tags', () => {
  it("the syncer reads DKP's first 1,500 module names, a pullError for each missing one, memory bounded", async () => {
    const redis = await startRedis({ logDir: env.logDir, name: `r4-tags-redis-${suffix}`, password: true });
    cleanup(() => redis.stop());
    const proxy = await startProxy(env.registry!.host);
    cleanup(() => proxy.close());
    const world = new World({
      id: `r4t-${suffix}`,
      sources: 1,
      redisEnv: { MODSYNC_REDIS_URL: redis.url },
      syncers: 1,
      appliers: 1,
      sourceRegistry: () => proxy.host,
    });
    cleanup(() => world.stop());
    const source = world.sourceNames[0]!;
    // The catalogue lists the real module and 9,999 modules that were never published (names sorting after it).
    const tags = [
      world.moduleOf(source),
      ...Array.from({ length: 9_999 }, (_, i) => `zz-${String(i).padStart(5, '0')}`),
    ];
    proxy.handle = async (x) => {
      if (x.req.method === 'GET' && x.req.url!.startsWith(`/v2/${source}/modules/tags/list`)) {
        x.res.writeHead(200, { 'content-type': 'application/json' });
        x.res.end(JSON.stringify({ name: `${source}/modules`, tags }));
        return;
      }
      x.send(await x.forward());
    };
    await world.start('v1.0.0');
    const statusModules = async () => (await world.kube.get(ModuleSources, source))?.status?.modules ?? [];
    const settledMs = await timeUntil(
      async () => (await world.converged('v1.0.0')) && (await statusModules()).length === 1_500,
      120_000,
    );
    const modules = await statusModules();
    const metrics = await (await fetch(`${world.syncers[0]!.url}/metrics`)).text();
    const rss = counterSum(metrics, 'modsync_process_resident_memory_bytes');
    const missing = modules.filter((m) => m.name.startsWith('zz-'));
    const problems = [
      ...(settledMs === undefined ? [`not settled within 120 s: ${modules.length} modules in the status`] : []),
      ...(modules.length === 1_500 ? [] : [`${modules.length} modules in the status, not DKP's cap of 1,500`]),
      ...(missing.every((m) => m.pullError !== undefined && m.pullError !== '')
        ? []
        : [`${missing.filter((m) => !m.pullError).length} never-published modules without a pullError`]),
      ...((await world.converged('v1.0.0')) ? [] : ['the published module was not synced and released']),
      ...(rss > 0 && rss < RSS_BOUND_BYTES ? [] : [`syncer RSS ${rss} bytes (bound ${RSS_BOUND_BYTES})`]),
      ...world.exited().map((r) => `${r} exited`),
    ];
    await recordScenario(env.dir, {
      scenario: `R4 catalogue of 10,000 tags (RSS ${Math.round(rss / 2 ** 20)} MiB)`,
      runs: 1,
      failures: problems.length > 0 ? 1 : 0,
      recoveryMs: settledMs === undefined ? [] : [settledMs],
    });
    expect(problems).toEqual([]);
  });
});
