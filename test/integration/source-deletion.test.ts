// Deleting a ModuleSource (docs/dkp-contract.md §1 "Deletion") with a real syncer and applier against the real API
// server, whose kube-controller-manager garbage collector removes what the source owns once it is gone: blocked with
// DKP's message while an enabled module has no other source; released when the module is disabled, moves to another
// source, or the force annotation is set; a Deployed release of an enabled module is never collected.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  Modules,
  ModuleSources,
  type ModuleConfig,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { run, serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const registry = createRegistryClient();
const BLOCKED =
  'The source contains at least 1 deployed release and cannot be deleted. Please delete target ModuleReleases manually to continue';
const FINALIZERS = ['modules.deckhouse.io/module-exists', 'modules.deckhouse.io/release-exists'];

const srcA = `del-a-${suffix}`;
const srcB = `del-b-${suffix}`;
const srcC = `del-c-${suffix}`;
const solo = `solo-${suffix}`;
const shared = `shared-${suffix}`;
const forced = `forced-${suffix}`;
const paths = new Map([
  [srcA, `del-${suffix}/a`],
  [srcB, `del-${suffix}/b`],
  [srcC, `del-${suffix}/c`],
]);
const pathOf = (source: string) => paths.get(source)!;
const publisher = (source: string) =>
  new ModulePublisher(
    registry,
    parseRegistrySettings({ repo: `${env.registry!.host}/${pathOf(source)}`, scheme: 'HTTP' }),
    pathOf(source),
  );
const services: RunningService[] = [];
let kube: KubeClient;

const kubectl = (...args: string[]) =>
  run(env.kubectl!, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
const config = (name: string, spec: ModuleConfig['spec']) =>
  kube.apply(ModuleConfigs, { apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name }, spec });
const resync = (name: string) =>
  kube.mergePatch(ModuleSources, name, { metadata: { annotations: { [RESYNC_ANNOTATION]: String(Date.now()) } } });
const phase = async (release: string) => (await kube.get(ModuleReleases, release))?.status?.phase;
const waitPhase = (release: string, want: string) =>
  waitFor(`${release} ${want}`, async () => (await phase(release)) === want, 60_000, 200);
const gone = (what: string, get: () => Promise<unknown>) =>
  waitFor(`${what} gone`, async () => (await get()) === undefined, 60_000, 200);

async function createSource(name: string): Promise<void> {
  await kube.apply(ModuleSources, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { del: suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${pathOf(name)}`, scheme: 'HTTP' } },
  });
  await waitFor(
    `${name} synced, with its finalizers`,
    async () => {
      const stored = await kube.get(ModuleSources, name);
      return (
        stored?.status?.message === 'Ready' && JSON.stringify(stored.metadata.finalizers) === JSON.stringify(FINALIZERS)
      );
    },
    30_000,
    200,
  );
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher(srcA).publish({ module: solo, version: 'v1.0.0', channels: ['stable'] });
  await publisher(srcA).publish({ module: shared, version: 'v1.0.0', channels: ['stable'] });
  await publisher(srcB).publish({ module: shared, version: 'v1.0.0', channels: ['stable'] });
  await publisher(srcC).publish({ module: forced, version: 'v1.0.0', channels: ['stable'] });
  const common = serviceEnv({ env, prefix: `del-${suffix}`, selector: `del=${suffix}` });
  services.push(await startService('syncer', { logDir: env.logDir, instance: `del-${suffix}`, env: common }));
  services.push(await startService('applier', { logDir: env.logDir, instance: `del-${suffix}`, env: common }));
  // A first, so `shared` is served from A (the only source then) and stays there when B appears.
  await createSource(srcA);
  await config(solo, { enabled: true });
  await config(shared, { enabled: true });
  await waitPhase(`${solo}-v1.0.0`, 'Deployed');
  await waitPhase(`${shared}-v1.0.0`, 'Deployed');
  await createSource(srcB);
  await waitFor(
    'shared offered by A and B, served from A',
    async () => {
      const m = await kube.get(Modules, shared);
      return (
        JSON.stringify(m?.properties?.availableSources) === JSON.stringify([srcA, srcB].sort()) &&
        m?.properties?.source === srcA
      );
    },
    30_000,
    200,
  );
  // A Pending release owned by A (the embedded policy, AutoPatch, holds a minor for approval): the garbage collector's.
  await publisher(srcA).publish({ module: shared, version: 'v1.1.0', channels: ['stable'] });
  await resync(srcA);
  await waitPhase(`${shared}-v1.1.0`, 'Pending');
});

afterAll(async () => {
  for (const s of services) await s.stop();
  for (const name of [solo, shared, forced]) await kube.delete(ModuleConfigs, name);
  for (const name of [srcA, srcB, srcC]) {
    await kube.delete(ModuleSources, name);
    // Nobody is left to take modsync's finalizers off.
    await kube.mergePatch(ModuleSources, name, { metadata: { finalizers: null } }).catch(() => undefined);
  }
  for (const name of [solo, shared, forced]) await kube.delete(Modules, name);
  for (const r of (await kube.list(ModuleReleases)).items.filter(
    (r) => r.metadata.name.endsWith(suffix) || r.metadata.name.includes(`-${suffix}-`),
  ))
    await kube.delete(ModuleReleases, r.metadata.name);
  await registry.close();
  await kube.close();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('deleting a ModuleSource (real syncer, applier and garbage collector)', { shuffle: false }, () => {
  it('Deployed releases carry no ownerReference to their source; the others do', async () => {
    await waitFor(
      'the Deployed release unowned',
      async () => ((await kube.get(ModuleReleases, `${shared}-v1.0.0`))?.metadata.ownerReferences ?? []).length === 0,
      20_000,
      200,
    );
    expect((await kube.get(ModuleReleases, `${shared}-v1.1.0`))?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'ModuleSource', name: srcA, controller: true }),
    ]);
  });

  it('is blocked with DKP’s message while an enabled module has no other source; its modules stay served', async () => {
    await kube.delete(ModuleSources, srcA);
    await waitFor(
      'Terminating with the message',
      async () => {
        const status = (await kube.get(ModuleSources, srcA))?.status;
        return status?.phase === 'Terminating' && status.message === BLOCKED;
      },
      30_000,
      200,
    );
    expect(await kubectl('get', 'ms', srcA)).toContain(BLOCKED);
    expect(await phase(`${solo}-v1.0.0`)).toBe('Deployed');
    expect(await phase(`${shared}-v1.1.0`)).toBe('Pending');
    const module = await kube.get(Modules, solo);
    expect(module?.properties?.source).toBe(srcA);
    expect(module?.properties?.availableSources).toEqual([srcA]);
  });

  it('goes once that module is disabled: the garbage collector takes what A owned, never a Deployed release of an enabled module', async () => {
    await config(solo, { enabled: false });
    await gone(srcA, () => kube.get(ModuleSources, srcA));
    // The collector ran over A's dependents: the Pending release is gone ...
    await gone(`${shared}-v1.1.0`, () => kube.get(ModuleReleases, `${shared}-v1.1.0`));
    // ... the Deployed release of the enabled module that moves to B is not; the disabled module's went with A.
    expect(await phase(`${shared}-v1.0.0`)).toBe('Deployed');
    await gone(`${solo}-v1.0.0`, () => kube.get(ModuleReleases, `${solo}-v1.0.0`));
    await waitFor(
      'shared served from B',
      async () => {
        const m = await kube.get(Modules, shared);
        return (
          m?.properties?.source === srcB && JSON.stringify(m.properties.availableSources) === JSON.stringify([srcB])
        );
      },
      30_000,
      200,
    );
    // DKP §9 step 2: a module no source offers and not enabled is deleted.
    await gone(`module ${solo}`, () => kube.get(Modules, solo));
    expect(await phase(`${shared}-v1.0.0`)).toBe('Deployed');
  });

  it('force-delete lets a blocking source go at once, and keeps the enabled module’s Deployed release', async () => {
    await createSource(srcC);
    await config(forced, { enabled: true });
    await waitPhase(`${forced}-v1.0.0`, 'Deployed');
    await publisher(srcC).publish({ module: forced, version: 'v1.1.0', channels: ['stable'] });
    await resync(srcC);
    await waitPhase(`${forced}-v1.1.0`, 'Pending');
    await kube.delete(ModuleSources, srcC);
    await waitFor(
      'blocked',
      async () => (await kube.get(ModuleSources, srcC))?.status?.message === BLOCKED,
      30_000,
      200,
    );
    await kubectl('annotate', 'ms', srcC, 'modules.deckhouse.io/force-delete=true');
    await gone(srcC, () => kube.get(ModuleSources, srcC));
    await gone(`${forced}-v1.1.0`, () => kube.get(ModuleReleases, `${forced}-v1.1.0`));
    expect(await phase(`${forced}-v1.0.0`)).toBe('Deployed');
  });
});
