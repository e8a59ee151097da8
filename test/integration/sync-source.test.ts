import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveryEventInput, PresentModuleState } from '@modsync/events';
import { KubeClient, kubeConfigFromString, ModuleConfigs, ModuleSources, type ModuleSource } from '@modsync/k8s';
import {
  createRegistryClient,
  parseRegistrySettings,
  REGISTRY_CHANNELS,
  type RegistryRequestMessage,
} from '@modsync/registry';
import { createLogger, createRedis, type RedisClient } from '@modsync/runtime';
import { ClusterView, SyncStateStore, syncerKeys, syncSource, type SyncDependencies } from '@modsync/syncer';
import { run, useEnvironment, waitFor } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';
import { startProxy } from './registry-support.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const log = createLogger({ service: 'test', level: 'silent' });
const registry = createRegistryClient();
let kube: KubeClient;
let redis: RedisClient;
let view: ClusterView;
let published: DiscoveryEventInput[] = [];
let deps: SyncDependencies;

function kubectl(args: string[]): Promise<string> {
  return run(env.kubectl!, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
}

/** Counts registry HTTP requests while `fn` runs. */
async function countRequests<T>(fn: () => Promise<T>): Promise<{ result: T; requests: RegistryRequestMessage[] }> {
  const requests: RegistryRequestMessage[] = [];
  const onRequest = (message: unknown) => requests.push(message as RegistryRequestMessage);
  subscribe(REGISTRY_CHANNELS.request, onRequest);
  try {
    return { result: await fn(), requests };
  } finally {
    unsubscribe(REGISTRY_CHANNELS.request, onRequest);
  }
}

async function createSource(name: string, path: string): Promise<ModuleSource> {
  const source: ModuleSource = {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  };
  await kube.apply(ModuleSources, source);
  await waitFor(`${name} in the view`, async () => view.sources.get(name) !== undefined, 10_000, 20);
  return view.sources.get(name)!;
}

/** The source as the view sees it after the API server has it at `resourceVersion` or later. */
async function fresh(name: string): Promise<ModuleSource> {
  const current = await kube.get(ModuleSources, name);
  await waitFor(
    `${name} fresh in the view`,
    async () => view.sources.get(name)?.metadata.resourceVersion === current?.metadata.resourceVersion,
    10_000,
    20,
  );
  return view.sources.get(name)!;
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  redis = createRedis({ target: env.redis!.url, name: 'sync-test' });
  view = new ClusterView(kube, (err) => console.error(err));
  await view.start();
  deps = {
    registry,
    kube,
    store: new SyncStateStore(redis, syncerKeys(`test-${suffix}`)),
    publish: async (events) => void published.push(...events),
    moduleContext: (source, module) => view.moduleContext(source, module),
    moduleConcurrency: 4,
  };
});
afterAll(async () => {
  await view.stop();
  await registry.close();
  await kube.close();
  redis.disconnect();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('syncSource against a real registry, Redis and API server', { shuffle: false }, () => {
  const path = `sync-${suffix}/deckhouse/modules`;
  const name = `example-${suffix}`;

  it('lists the modules with their channel versions: status, kubectl get ms, events', async () => {
    const publisher = new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    await publisher.publish({ module: 'module-one', version: 'v0.7.24', channels: ['stable'] });
    await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
    const source = await createSource(name, path);
    published = [];

    const report = await syncSource(deps, source, log);
    // The status, then DKP's finalizers (once, after the first good sync).
    expect(report).toMatchObject({
      outcome: 'Synced',
      modules: 2,
      pullErrors: 0,
      fetched: 2,
      statusChanged: true,
      kubernetesWrites: 2,
      events: 2,
    });
    const stored = (await kube.get(ModuleSources, name))!;
    expect(stored.metadata.finalizers).toEqual([
      'modules.deckhouse.io/module-exists',
      'modules.deckhouse.io/release-exists',
    ]);
    const status = stored.status!;
    expect(status).toMatchObject({ phase: 'Active', modulesCount: 2, message: 'Ready' });
    expect(status.modules).toEqual([
      { name: 'module-one', version: 'v0.7.24', checksum: expect.stringMatching(/^sha256:/), policy: '' },
      { name: 'module-two', version: 'v1.2.3', checksum: expect.stringMatching(/^sha256:/), policy: '' },
    ]);
    expect(published.map((e) => `${e.type} ${e.module}`)).toEqual([
      'module.appeared module-one',
      'module.appeared module-two',
    ]);

    const table = await kubectl(['get', 'ms', name]);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+COUNT\s+SYNC\s+MSG\s*$/);
    expect(table.split('\n')[1]).toMatch(new RegExp(`^${name}\\s+2\\s+\\d+s\\s+Ready\\s*$`));
    expect((await kubectl(['get', 'ms', name, '-o', 'jsonpath={.status.modules[*].name}'])).trim()).toBe(
      'module-one module-two',
    );
  });

  it('an unchanged cycle costs one HEAD per module-channel (plus the tag list) and writes syncTime only', async () => {
    const source = await fresh(name);
    published = [];
    const stateBefore = await redis.hgetall(`test-${suffix}:sync-state:${name}`);
    // Three minutes after the last sync, as the schedule would run it.
    const later = new Date(Date.parse(source.status!.syncTime!) + 180_000);
    const { result, requests } = await countRequests(() => syncSource({ ...deps, now: () => later }, source, log));
    expect(result).toMatchObject({
      outcome: 'Synced',
      fetched: 0,
      statusChanged: false,
      kubernetesWrites: 1,
      events: 0,
    });
    expect(requests.map((r) => `${r.method} ${r.op}`).sort()).toEqual([
      'GET list_tags',
      'HEAD head_manifest',
      'HEAD head_manifest',
    ]);
    expect(published).toEqual([]);
    const after = (await kube.get(ModuleSources, name))!;
    expect(after.status).toEqual({ ...source.status, syncTime: later.toISOString().replace(/\.\d{3}Z$/, 'Z') });
    expect(after.metadata.finalizers).toEqual(source.metadata.finalizers);
    expect(await redis.hgetall(`test-${suffix}:sync-state:${name}`)).toEqual(stateBefore);
  });

  it('a new version on the channel is fetched once, written and published', async () => {
    const publisher = new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    await publisher.publish({ module: 'module-one', version: 'v0.7.25', channels: ['stable'] });
    published = [];
    const report = await syncSource(deps, await fresh(name), log);
    expect(report).toMatchObject({ fetched: 1, statusChanged: true, kubernetesWrites: 1, events: 1 });
    expect(published[0]).toMatchObject({
      type: 'channel.version',
      module: 'module-one',
      channel: 'Stable',
      version: 'v0.7.25',
      previousVersion: 'v0.7.24',
    });
    // The image is read once: the event carries what the applier creates the release from.
    expect((published[0]!.state as PresentModuleState).channels.Stable!.metadata).toEqual({
      weight: 900,
      changelog: { features: ['module-one v0.7.25'] },
    });
    expect((await kube.get(ModuleSources, name))!.status!.modules![0]).toMatchObject({
      name: 'module-one',
      version: 'v0.7.25',
    });
  });

  it('a sync of one module (a registry notification) HEADs that module alone and keeps the others', async () => {
    const publisher = new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    await publisher.publish({ module: 'module-two', version: 'v1.2.4', channels: ['stable'] });
    published = [];
    const { result, requests } = await countRequests(() =>
      syncSource(deps, view.sources.get(name)!, log, 'module-two'),
    );
    expect(result).toMatchObject({ outcome: 'Synced', modules: 2, fetched: 1, only: 'module-two', events: 1 });
    // No tag list, one HEAD, then the release image's manifest and its layer.
    expect(
      requests.map((r) => `${r.method} ${r.op}`).filter((op) => op !== 'GET get_manifest' && op !== 'GET get_blob'),
    ).toEqual(['HEAD head_manifest']);
    expect(published.map((e) => `${e.type} ${e.module}`)).toEqual(['channel.version module-two']);
    expect((await kube.get(ModuleSources, name))!.status!.modules).toEqual([
      { name: 'module-one', version: 'v0.7.25', checksum: expect.stringMatching(/^sha256:/), policy: '' },
      { name: 'module-two', version: 'v1.2.4', checksum: expect.stringMatching(/^sha256:/), policy: '' },
    ]);
  });

  it('records a module’s pull error with the registry’s own message; an enabled module sets the summary message', async () => {
    const publisher = new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    await publisher.listModule('module-broken');
    published = [];
    const report = await syncSource(deps, await fresh(name), log);
    expect(report).toMatchObject({ modules: 3, pullErrors: 1 });
    let status = (await kube.get(ModuleSources, name))!.status!;
    const broken = status.modules!.find((m) => m.name === 'module-broken')!;
    expect(broken.version).toBe('unknown');
    expect(broken.pullError).toBe(
      `get image info: fetch image error: GET http://${env.registry!.host}/v2/${path}/module-broken/release/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]`,
    );
    expect(broken.error).toBe(broken.pullError);
    // Not enabled: recorded, but the source is still Ready (§10.16).
    expect(status.message).toBe('Ready');

    await kube.apply(ModuleConfigs, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name: 'module-broken' },
      spec: { enabled: true },
    });
    await waitFor('config in view', async () => view.configs.get('module-broken') !== undefined, 10_000, 20);
    await syncSource(deps, await fresh(name), log);
    status = (await kube.get(ModuleSources, name))!.status!;
    expect(status.message).toBe('Some errors occurred. Inspect status for details');
    const table = await kubectl(['get', 'ms', name]);
    expect(table.split('\n')[1]).toMatch(/\s+3\s+\d+s\s+Some errors occurred. Inspect status for details\s*$/);
    const jsonpath = await kubectl([
      'get',
      'ms',
      name,
      '-o',
      `jsonpath={range .status.modules[*]}{.name}{" module error:\\n\\t"}{.pullError}{"\\n"}{end}`,
    ]);
    expect(jsonpath).toContain('module-broken module error:\n\tget image info: fetch image error: GET http://');
    await kube.delete(ModuleConfigs, 'module-broken');
  });

  it('a registry that cannot be reached sets the message and keeps the modules', async () => {
    const source = await fresh(name);
    const unreachable = { ...source, spec: { registry: { repo: '127.0.0.1:1/nothing', scheme: 'HTTP' as const } } };
    const report = await syncSource({ ...deps, registry: createRegistryClient({ maxRetries: 0 }) }, unreachable, log);
    expect(report.outcome).toBe('Failed');
    const status = (await kube.get(ModuleSources, name))!.status!;
    expect(status.message).toMatch(/127\.0\.0\.1:1/);
    expect(status.modulesCount).toBe(3);
  });
});

describe('a registry that keeps failing pauses its sources', () => {
  it('503s open the host breaker: the next sync sends nothing and the source reads Ready=False/RegistryPaused', async () => {
    const proxy = await startProxy(env.registry!.host);
    const paused = createRegistryClient({
      maxRetries: 0,
      breakerFailureThreshold: 2,
      breakerOpenMs: 60_000,
      breakerMaxOpenMs: 60_000,
    });
    try {
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
      const name = `paused-${suffix}`;
      const source: ModuleSource = {
        apiVersion: 'deckhouse.io/v1alpha1',
        kind: 'ModuleSource',
        metadata: { name },
        spec: { registry: { repo: `${proxy.host}/paused-${suffix}`, scheme: 'HTTP' } },
      };
      await kube.apply(ModuleSources, source);
      await waitFor(`${name} in the view`, async () => view.sources.get(name) !== undefined, 10_000, 20);
      const pausedDeps = { ...deps, registry: paused };
      // Two failed listings (the registry's own words), then the breaker holds the third back.
      for (let i = 0; i < 2; i++) await syncSource(pausedDeps, await fresh(name), log);
      let status = (await kube.get(ModuleSources, name))!.status!;
      expect(status.message).toContain('UNAVAILABLE: registry in maintenance');
      expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'SyncFailed',
      });
      const seen = proxy.seen.length;
      const report = await syncSource(pausedDeps, await fresh(name), log);
      expect(report.outcome).toBe('Failed');
      expect(proxy.seen).toHaveLength(seen);
      status = (await kube.get(ModuleSources, name))!.status!;
      expect(status.message).toContain(`registry ${proxy.host} paused until `);
      expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'False',
        reason: 'RegistryPaused',
        message: status.message,
      });
      await kube.delete(ModuleSources, name);
    } finally {
      await paused.close();
      await proxy.close();
    }
  });
});
