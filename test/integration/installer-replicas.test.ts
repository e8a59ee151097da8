// Several applier replicas installing the same modules (no leader, a module store each): the per-module install lock
// in Redis, recovery of a helm operation interrupted by a killed replica, and a fresh replica seeing an install is current.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  Modules,
  ModuleSources,
  type ModuleConfig,
  type ModuleRelease,
  type ModuleSource,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { createLogger, createRedis, RedisLocks } from '@modsync/runtime';
import { findHelm, Helm } from '../../services/applier/src/install/helm.ts';
import { HelmInstaller } from '../../services/applier/src/install/helm-installer.ts';
import { InstallRecords } from '../../services/applier/src/install/install-records.ts';
import { ModuleStore } from '../../services/applier/src/install/module-store.ts';
import { installStatusReport } from '../../services/applier/src/module-status.ts';
import { Writer } from '../../services/applier/src/writer.ts';
import { run, useEnvironment, waitFor } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `rep-${suffix}/modules`;
const registry = createRegistryClient();
const settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
const publisher = new ModulePublisher(registry, settings, path);
const source: ModuleSource = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name: `rep-src-${suffix}` },
  spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
};
const release = (name: string, version: string): ModuleRelease => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleRelease',
  metadata: { name: `${name}-${version}` },
  spec: { moduleName: name, version },
});
const configs = new Map<string, ModuleConfig>();
const signal = new AbortController().signal;
const lockPrefix = `rep-${suffix}:install-lock`;
const helmEnv = () => ({ ...process.env, KUBECONFIG: env.kubeconfig! });
const redisConnections: ReturnType<typeof createRedis>[] = [];
let kube: KubeClient;

/** Module phases written, in order, by every replica of the test (their status patches). */
const phases = new Map<string, string[]>();
/** Log lines of every replica. */
const logLines: Record<string, unknown>[] = [];

/** The client as a replica uses it, recording the phase of every Module status patch. */
function recordingKube(): KubeClient {
  return new Proxy(kube, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'mergePatch') {
        return (kind: unknown, name: string, patch: { status?: { phase?: string } }, ...rest: unknown[]) => {
          if (kind === Modules && patch.status?.phase)
            phases.set(name, [...(phases.get(name) ?? []), patch.status.phase]);
          return (value as (...args: unknown[]) => unknown).call(target, kind, name, patch, ...rest);
        };
      }
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** What the applier's reconcile hands the installer: the release, and the one writer of the Module's status (recorded). */
function request(name: string, r: ModuleRelease) {
  const recording = recordingKube();
  return {
    module: name,
    release: r,
    source,
    moduleObject: undefined,
    status: installStatusReport(recording, new Writer(recording, () => {}), name, () => new Date()),
  };
}

/** One applier replica's installer: its own module store, Redis connection and locks. */
async function replica(
  name: string,
  installTimeoutMs?: number,
): Promise<{ installer: HelmInstaller; store: ModuleStore }> {
  const redis = createRedis({ target: env.redis!.url, name: `replica-${name}` });
  redisConnections.push(redis);
  const store = new ModuleStore(await mkdtemp(join(tmpdir(), `modsync-store-${name}-`)));
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const installer = new HelmInstaller({
    registry,
    store,
    helm: new Helm({
      binary: findHelm(),
      kubeconfig: env.kubeconfig,
      ...(installTimeoutMs ? { installTimeoutMs } : {}),
    }),
    locks: new RedisLocks({ redis, prefix: lockPrefix, identity: name }),
    records: new InstallRecords(redis, {
      installed: `rep-${suffix}:installed-modules`,
      failures: `rep-${suffix}:install-failures`,
    }),
    moduleConfig: (module) => configs.get(module),
    log: createLogger({ service: name, level: 'info', destination }),
  });
  return { installer, store };
}

async function prepareModule(name: string, versions: string[]): Promise<void> {
  await kube.apply(Modules, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'Module',
    metadata: { name },
    properties: { weight: 900, source: source.metadata.name, availableSources: [source.metadata.name] },
  });
  configs.set(name, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name },
    spec: { enabled: true, settings: { message: name } },
  });
  await kube.apply(ModuleConfigs, configs.get(name)!);
  for (const version of versions) await publisher.publish({ module: name, version, channels: ['stable'] });
}

interface Revision {
  revision: number;
  status: string;
  description: string;
}

async function history(name: string): Promise<Revision[]> {
  return JSON.parse(
    await run(findHelm(), ['history', name, '-n', `d8-${name}`, '-o', 'json'], { env: helmEnv() }),
  ) as Revision[];
}

async function moduleStatus(name: string) {
  return (await kube.get(Modules, name))!;
}

/**
 * A release left as a killed replica leaves it: `helm upgrade --install --wait` of a chart whose Deployment never
 * becomes ready (no kubelet here), SIGKILLed once the release shows `status`.
 */
async function interruptedHelm(name: string, status: 'pending-install' | 'pending-upgrade'): Promise<void> {
  const chart = await mkdtemp(join(tmpdir(), 'modsync-stuck-chart-'));
  await mkdir(join(chart, 'templates'));
  await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: stuck\nversion: 0.0.1\n');
  await writeFile(
    join(chart, 'templates', 'deployment.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: stuck }',
      'spec:',
      '  replicas: 1',
      '  selector: { matchLabels: { app: stuck } }',
      '  template:',
      '    metadata: { labels: { app: stuck } }',
      '    spec: { containers: [{ name: stuck, image: "registry.invalid/stuck:1" }] }',
      '',
    ].join('\n'),
  );
  const child = spawn(
    findHelm(),
    [
      'upgrade',
      '--install',
      name,
      chart,
      '-n',
      `d8-${name}`,
      '--create-namespace',
      '--wait=watcher',
      '--timeout',
      '5m',
    ],
    { env: helmEnv(), stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await waitFor(
      `release ${name} ${status}`,
      async () => (await history(name)).at(-1)?.status === status,
      60_000,
      200,
    );
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  expect((await history(name)).at(-1)!.status).toBe(status);
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await kube.apply(ModuleSources, source);
});
afterAll(async () => {
  await registry.close();
  await kube.close();
  for (const redis of redisConnections) redis.disconnect();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('HelmInstaller on several replicas (one Redis, a module store each), against real Redis, registry, API server and helm', {
  shuffle: false,
}, () => {
  const shared = `rep-${suffix}`;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;

  beforeAll(async () => {
    [a, b] = await Promise.all([replica('a'), replica('b')]);
    await prepareModule(shared, ['v1.0.0']);
  });

  it('two replicas ensuring the same release at once: one helm revision, Ready, never Error', async () => {
    await Promise.all([
      a.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal),
      b.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal),
    ]);
    const revisions = await history(shared);
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      status: 'deployed',
      description: expect.stringMatching(/^modsync v1\.0\.0 sha256:/),
    });
    expect((await moduleStatus(shared)).status).toMatchObject({ phase: 'Ready', ready: 'True' });
    // The lock holder alone wrote phases, a real install's.
    expect(phases.get(shared)).toEqual(['Downloading', 'Installing', 'Ready']);
  });

  it('each replica’s later ensure keeps it Ready: no write, no helm revision', async () => {
    const before = (await moduleStatus(shared)).metadata.resourceVersion;
    for (const r of [b, a, b]) await r.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal);
    expect((await moduleStatus(shared)).metadata.resourceVersion).toBe(before);
    expect(await history(shared)).toHaveLength(1);
    expect(phases.get(shared)).toEqual(['Downloading', 'Installing', 'Ready']);
  });

  it('a fresh replica (empty module store) sees the install is current from helm: writes nothing, downloads nothing', async () => {
    const fresh = await replica('fresh');
    const before = (await moduleStatus(shared)).metadata.resourceVersion;
    await fresh.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal);
    expect((await moduleStatus(shared)).metadata.resourceVersion).toBe(before);
    expect(await readdir(fresh.store.root)).toEqual([]);
    expect(await history(shared)).toHaveLength(1);
  });

  it('while another replica holds the module’s lock, ensure leaves the module alone', async () => {
    const redis = createRedis({ target: env.redis!.url, name: 'holder' });
    redisConnections.push(redis);
    const held = await new RedisLocks({ redis, prefix: lockPrefix, identity: 'holder' }).acquire(shared);
    expect(held).toBeDefined();
    try {
      configs.set(shared, { ...configs.get(shared)!, spec: { enabled: true, settings: { message: 'changed' } } });
      const before = (await moduleStatus(shared)).metadata.resourceVersion;
      // Left to the holder, and looked at again later: the holder may die before it finishes.
      expect(await a.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal)).toEqual({
        requeueAfterMs: 15_000,
      });
      expect((await moduleStatus(shared)).metadata.resourceVersion).toBe(before);
      expect(await history(shared)).toHaveLength(1);
    } finally {
      await held!.release();
    }
    // Released: the next ensure installs the new settings.
    await a.installer.ensure(request(shared, release(shared, 'v1.0.0')), signal);
    expect(await history(shared)).toHaveLength(2);
    expect((await moduleStatus(shared)).status).toMatchObject({ phase: 'Ready', ready: 'True' });
  });
});

describe('HelmInstaller disabling a module on another replica than the one that installed it', () => {
  it('a fresh replica uninstalls it (the shared record says where); a module nobody installed needs no helm call', async () => {
    const name = `dis-${suffix}`;
    await prepareModule(name, ['v1.0.0']);
    const installer = await replica('dis-a');
    await installer.installer.ensure(request(name, release(name, 'v1.0.0')), signal);
    expect(await history(name)).toHaveLength(1);
    const other = await replica('dis-b');
    expect(await other.installer.remove(name, signal)).toEqual({});
    await expect(history(name)).rejects.toThrow(/not found/);
    // Nothing recorded, stored or installed here: nothing to uninstall.
    const never = `never-${suffix}`;
    expect(await other.installer.remove(never, signal)).toEqual({});
  });
});

describe('HelmInstaller: a failed install backs off on every replica', () => {
  it('the other replica does not retry within the backoff (no helm run, the Error kept) and looks again when it ends', async () => {
    const name = `fail-${suffix}`;
    await kube.apply(Modules, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'Module',
      metadata: { name },
      properties: { weight: 900, source: source.metadata.name, availableSources: [source.metadata.name] },
    });
    configs.set(name, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name },
      spec: { enabled: true },
    });
    // A Deployment never becomes available here (no kubelet): helm's wait fails the install after 3 s.
    await publisher.publish({
      module: name,
      version: 'v1.0.0',
      channels: ['stable'],
      bundleFiles: {
        'templates/deployment.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          `metadata: { name: ${name} }`,
          'spec:',
          '  replicas: 1',
          `  selector: { matchLabels: { app: ${name} } }`,
          '  template:',
          `    metadata: { labels: { app: ${name} } }`,
          `    spec: { containers: [{ name: web, image: "registry.invalid/${name}:1" }] }`,
          '',
        ].join('\n'),
      },
    });
    const a = await replica('fail-a', 3_000);
    const first = await a.installer.ensure(request(name, release(name, 'v1.0.0')), signal);
    expect(first?.requeueAfterMs).toBeGreaterThan(25_000);
    const failed = (await moduleStatus(name)).status!;
    expect(failed).toMatchObject({ phase: 'Error', ready: 'Error' });
    const message = failed.conditions!.find((c) => c.type === 'IsReady')!.message!;
    expect(message).toMatch(/^helm upgrade --install fail-.*: /);
    const revisions = (await history(name)).length;

    const b = await replica('fail-b', 3_000);
    const before = (await moduleStatus(name)).metadata.resourceVersion;
    const second = await b.installer.ensure(request(name, release(name, 'v1.0.0')), signal);
    // Held back by A's failure: no helm run, nothing written, looked at again when the backoff ends.
    expect(await history(name)).toHaveLength(revisions);
    expect((await moduleStatus(name)).metadata.resourceVersion).toBe(before);
    expect(second?.requeueAfterMs).toBeGreaterThan(20_000);
    expect(second?.requeueAfterMs).toBeLessThanOrEqual(first!.requeueAfterMs! + 50);
  });
});

describe('HelmInstaller recovers a helm operation interrupted by a killed replica', () => {
  it('pending-install (nothing deployed before): uninstalled, then installed; Ready', async () => {
    const name = `pin-${suffix}`;
    await prepareModule(name, ['v1.0.0']);
    await interruptedHelm(name, 'pending-install');
    const { installer } = await replica('after-pending-install');
    await installer.ensure(request(name, release(name, 'v1.0.0')), signal);
    expect((await moduleStatus(name)).status).toMatchObject({ phase: 'Ready', ready: 'True' });
    const revisions = await history(name);
    expect(revisions.at(-1)).toMatchObject({
      status: 'deployed',
      description: expect.stringMatching(/^modsync v1\.0\.0 /),
    });
    expect(revisions.map((r) => r.status)).not.toContain('pending-install');
    expect(
      JSON.parse(await run(env.kubectl!, ['get', 'deployments', '-n', `d8-${name}`, '-o', 'json'], { env: helmEnv() }))
        .items,
    ).toEqual([]);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'recovered an interrupted helm operation',
        module: name,
        status: 'pending-install',
        revision: 1,
      }),
    );
    expect(phases.get(name)).not.toContain('Error');
  });

  it('pending-upgrade over a deployed revision: rolled back to it, then upgraded; Ready', async () => {
    const name = `pup-${suffix}`;
    await prepareModule(name, ['v1.0.0', 'v1.1.0']);
    const { installer } = await replica('before-pending-upgrade');
    await installer.ensure(request(name, release(name, 'v1.0.0')), signal);
    expect(await history(name)).toHaveLength(1);
    await interruptedHelm(name, 'pending-upgrade');
    // The other replica takes over the upgrade the killed one was running.
    const { installer: other } = await replica('after-pending-upgrade');
    await other.ensure(request(name, release(name, 'v1.1.0')), signal);
    expect((await moduleStatus(name)).status).toMatchObject({ phase: 'Ready', ready: 'True' });
    const revisions = await history(name);
    // Helm leaves the interrupted revision's record as it was; only the latest revision counts.
    expect(revisions.map((r) => r.description)).toEqual([
      expect.stringMatching(/^modsync v1\.0\.0 /),
      'Preparing upgrade',
      'Rollback to 1',
      expect.stringMatching(/^modsync v1\.1\.0 /),
    ]);
    expect(revisions.at(-1)!.status).toBe('deployed');
    const cm = JSON.parse(
      await run(env.kubectl!, ['get', 'configmap', name, '-n', `d8-${name}`, '-o', 'json'], { env: helmEnv() }),
    ) as { data: Record<string, string> };
    expect(cm.data).toEqual({ version: 'v1.1.0', message: name });
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'recovered an interrupted helm operation',
        module: name,
        status: 'pending-upgrade',
        revision: 2,
      }),
    );
    expect(phases.get(name)).not.toContain('Error');
  });
});
