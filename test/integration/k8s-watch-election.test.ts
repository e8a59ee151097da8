// Against the real API server: a watch sliced into 1-byte chunks keeps every character whole, and two electors whose
// wall clocks disagree by minutes never lead at the same time.
import { KubeConfig } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Informer,
  KubeClient,
  kubeConfigFromString,
  LeaderElector,
  Leases,
  ModuleConfigs,
  type ModuleConfig,
} from '@modsync/k8s';
import { REPO_ROOT } from '../env/paths.ts';
import { useEnvironment, waitFor } from '../env/index.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
let kube: KubeClient;

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
});
afterAll(() => kube.close());

/**
 * A plain-HTTP reverse proxy to the API server (with the admin's credentials) that sends every response body one byte
 * per write, each write its own HTTP chunk, yielding between bytes: the client reads bytes one at a time.
 */
async function byteSlicingProxy(): Promise<{ url: string; close(): Promise<void> }> {
  const admin = new KubeConfig();
  admin.loadFromFile(env.kubeconfig!);
  const server = new URL(admin.getCurrentCluster()!.server);
  const tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string> } = {};
  await admin.applyToHTTPSOptions(tls);
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpsRequest(
      {
        host: server.hostname,
        port: server.port,
        path: req.url,
        method: req.method,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        headers: { ...req.headers, ...tls.headers, host: server.host },
      },
      (up) => {
        const headers = { ...up.headers };
        delete headers['content-length'];
        delete headers['transfer-encoding'];
        res.writeHead(up.statusCode!, headers);
        const relay = async () => {
          for await (const chunk of up) {
            for (const byte of chunk as Buffer) {
              if (res.destroyed) return;
              res.write(Buffer.of(byte));
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
          res.end();
        };
        // A watch closed by the client ends the upstream mid-body ("aborted"): the relay stops with it.
        relay().catch(() => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

describe('a watch sliced into 1-byte chunks', () => {
  it('reads a ModuleConfig’s Cyrillic and emoji settings back byte-identical (list and watch)', async () => {
    const proxy = await byteSlicingProxy();
    const sliced = await KubeClient.create(
      kubeConfigFromString(
        JSON.stringify({
          clusters: [{ name: 'sliced', cluster: { server: proxy.url, 'insecure-skip-tls-verify': true } }],
          users: [{ name: 'anonymous', user: {} }],
          contexts: [{ name: 'sliced', context: { cluster: 'sliced', user: 'anonymous' } }],
          'current-context': 'sliced',
        }),
      ),
    );
    const name = `utf8-${suffix}`;
    const labels = { utf8: suffix };
    const listed = { greeting: 'Привет, мир! Ёжик в тумане', emoji: '🙂🚀👩‍💻🇷🇺', mixed: 'ä€𝄞 — «ёлка»' };
    const watched = {
      greeting: 'Съешь же ещё этих мягких французских булок',
      emoji: '🧪🔥✨',
      nested: { ключ: ['значение', '💾'] },
    };
    const config = (settings: Record<string, unknown>): ModuleConfig => ({
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name, labels },
      spec: { enabled: true, version: 1, settings },
    });
    await kube.apply(ModuleConfigs, config(listed));
    const informer = new Informer(sliced, ModuleConfigs, {
      labelSelector: `utf8=${suffix}`,
      onError: (err) => console.error('informer', err),
    }).start();
    try {
      await informer.synced;
      // The API server orders keys its own way: compare the UTF-8 bytes of the settings with keys sorted.
      const sorted = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(sorted)
          : v && typeof v === 'object'
            ? Object.fromEntries(
                Object.entries(v)
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .map(([k, x]) => [k, sorted(x)]),
              )
            : v;
      const bytes = (settings: unknown) => Buffer.from(JSON.stringify(sorted(settings)), 'utf8');
      expect(bytes(informer.get(name)!.spec!.settings)).toEqual(bytes(listed));
      await kube.apply(ModuleConfigs, config(watched));
      await waitFor(
        'the MODIFIED event',
        () => informer.get(name)?.spec?.settings?.['greeting'] === watched.greeting,
        20_000,
        20,
      );
      expect(bytes(informer.get(name)!.spec!.settings)).toEqual(bytes(watched));
    } finally {
      await informer.stop();
      await sliced.close();
      await proxy.close();
      await kube.delete(ModuleConfigs, name);
    }
  });
});

/** A LeaderElector in a child process whose wall clock is moved by `shiftMs`; its `started`/`stopped` lines, timed. */
async function skewedElector(namespace: string, identity: string, shiftMs: number) {
  const lines: string[] = [];
  const child: ChildProcess = spawn(
    join(REPO_ROOT, 'node_modules/.bin/node'),
    [
      '--import',
      join(REPO_ROOT, 'test/fixtures/shifted-clock.ts'),
      join(REPO_ROOT, 'test/fixtures/elector-process.ts'),
      env.kubeconfig!,
      namespace,
      'syncer',
      identity,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MODSYNC_TEST_CLOCK_SHIFT_MS: String(shiftMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  createInterface(child.stdout!).on('line', (line) => lines.push(line));
  const exited = once(child, 'exit');
  await waitFor(`${identity} ready`, () => lines.some((l) => l.startsWith('ready ')), 20_000, 20);
  const at = (event: 'started' | 'stopped') => {
    const line = lines.find((l) => l.startsWith(`${event} `));
    return line === undefined ? undefined : Number(line.slice(event.length + 1));
  };
  return {
    at,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves after the lease was renewed `count` times by `holder`, as read from the API server. */
async function renewals(namespace: string, holder: string, count: number): Promise<void> {
  const seen = new Set<string>();
  await waitFor(
    `${count} renewals by ${holder}`,
    async () => {
      const lease = await kube.get(Leases, 'syncer', namespace);
      if (lease?.spec.holderIdentity === holder && lease.spec.renewTime) seen.add(lease.spec.renewTime);
      return seen.size >= count;
    },
    30_000,
    40,
  );
}

describe('leader election with skewed clocks', () => {
  it('never has two leaders: the record is timed on each elector’s own clock, not compared with another node’s', async () => {
    const namespace = `skew-${suffix}`;
    await kube.create(
      { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    );
    const realNow = () => Math.round(performance.timeOrigin + performance.now());
    let localStarted: number | undefined;
    let localStopped: number | undefined;
    const local = new LeaderElector(kube, {
      namespace,
      name: 'syncer',
      identity: 'local',
      leaseDurationMs: 2_000,
      renewIntervalMs: 250,
      retryIntervalMs: 100,
      onStartedLeading: () => (localStarted = realNow()),
      onStoppedLeading: () => (localStopped = realNow()),
    });

    // A leader whose clock is 5 minutes behind writes renew times that look long expired to everyone else.
    const behind = await skewedElector(namespace, 'behind', -5 * 60_000);
    await waitFor('the late-clock elector leads', () => behind.at('started') !== undefined, 20_000, 20);
    local.start();
    // Two lease durations of renewals: a follower comparing renewTime with its clock would have taken over at once.
    await renewals(namespace, 'behind', 17);
    expect(localStarted).toBeUndefined();
    await behind.stop();
    await waitFor('the local elector takes over the released lease', () => local.isLeader, 20_000, 20);
    expect(behind.at('stopped')!).toBeLessThanOrEqual(localStarted!);

    // A follower whose clock is 5 minutes ahead sees the local leader's renew times as 5 minutes old.
    const ahead = await skewedElector(namespace, 'ahead', 5 * 60_000);
    await renewals(namespace, 'local', 17);
    expect(ahead.at('started')).toBeUndefined();
    await local.stop();
    await waitFor(
      'the early-clock elector takes over the released lease',
      () => ahead.at('started') !== undefined,
      20_000,
      20,
    );
    expect(localStopped!).toBeLessThanOrEqual(ahead.at('started')!);
    await ahead.stop();
  });
});
