// Release lifecycle beyond the guide's walkthrough, with real services (syncer, applier with the helm installer):
// step-by-step minor upgrades, force, disabling (Pending releases deleted), ModuleConfig deletion.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  Modules,
  ModuleSources,
  ModuleUpdatePolicies,
  type ModuleConfig,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { run, serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `life-${suffix}/modules`;
const source = `life-${suffix}`;
const mod = `life-mod-${suffix}`;
const manual = `life-manual-${suffix}`;
const auto = `life-auto-${suffix}`;
const registry = createRegistryClient();
const publisher = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
  path,
);
const services: RunningService[] = [];
let kube: KubeClient;

const phase = async (version: string) => (await kube.get(ModuleReleases, `${mod}-${version}`))?.status?.phase;
const waitPhase = (version: string, want: string, timeoutMs = 60_000) =>
  waitFor(`${mod}-${version} ${want}`, async () => (await phase(version)) === want, timeoutMs, 200);
const config = (spec: ModuleConfig['spec']) =>
  kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name: mod },
    spec,
  });
const resync = () =>
  kube.mergePatch(ModuleSources, source, { metadata: { annotations: { [RESYNC_ANNOTATION]: String(Date.now()) } } });

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher.publish({ module: mod, version: 'v1.0.0', channels: ['stable'] });
  const store = await mkdtemp(join(tmpdir(), 'modsync-life-store-'));
  const common = serviceEnv(
    { env, prefix: `life-${suffix}`, selector: `life=${suffix}` },
    { MODSYNC_RESYNC_INTERVAL: '3s', MODSYNC_INSTALLER: 'helm', MODSYNC_MODULE_STORE: store },
  );
  services.push(await startService('syncer', { logDir: env.logDir, instance: `life-${suffix}`, env: common }));
  services.push(await startService('applier', { logDir: env.logDir, instance: `life-${suffix}`, env: common }));
  await kube.apply(ModuleSources, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name: source, labels: { life: suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  });
  await waitFor(
    'module offered',
    async () => (await kube.get(Modules, mod))?.status?.phase === 'Available',
    30_000,
    200,
  );
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await kube.delete(ModuleConfigs, mod);
  await kube.delete(ModuleUpdatePolicies, manual);
  await kube.delete(ModuleUpdatePolicies, auto);
  await kube.delete(ModuleSources, source);
  // The services are stopped: nobody is left to take modsync's finalizers off.
  await kube.mergePatch(ModuleSources, source, { metadata: { finalizers: null } }).catch(() => undefined);
  await registry.close();
  await kube.close();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('release lifecycle (real syncer, applier and helm)', { shuffle: false }, () => {
  it('upgrades minor by minor: the newest patch of each intermediate minor, then the channel’s version', async () => {
    // Auto: the default (embedded) policy is AutoPatch, which would hold each minor for approval (§10.7).
    await kube.apply(ModuleUpdatePolicies, {
      apiVersion: 'deckhouse.io/v1alpha2',
      kind: 'ModuleUpdatePolicy',
      metadata: { name: auto },
      spec: { releaseChannel: 'Stable', update: { mode: 'Auto' } },
    });
    await config({ enabled: true, source, updatePolicy: auto });
    await waitPhase('v1.0.0', 'Deployed');
    await waitFor('Ready', async () => (await kube.get(Modules, mod))?.status?.phase === 'Ready', 60_000, 200);
    for (const version of ['v1.1.0', 'v1.1.1', 'v1.2.0']) await publisher.publish({ module: mod, version });
    await publisher.publish({ module: mod, version: 'v1.3.0', channels: ['stable'] });
    await resync();
    await waitPhase('v1.3.0', 'Deployed', 60_000).catch(async (err: unknown) => {
      console.error(
        await run(
          env.kubectl!,
          [
            'get',
            'mr',
            '-l',
            `module=${mod}`,
            '-o',
            'custom-columns=NAME:.metadata.name,PHASE:.status.phase,MSG:.status.message,CAUSE:.metadata.annotations.modules\\.deckhouse\\.io/change-cause',
          ],
          { env: { ...process.env, KUBECONFIG: env.kubeconfig! } },
        ),
      );
      console.error(JSON.stringify((await kube.get(Modules, mod))?.status));
      throw err;
    });
    // v1.1.0 is never created (only the newest patch of 1.1); every step was deployed on the way.
    expect(await kube.get(ModuleReleases, `${mod}-v1.1.0`)).toBeUndefined();
    // The deploy writes the new release first, then supersedes the old ones.
    for (const version of ['v1.0.0', 'v1.1.1', 'v1.2.0']) await waitPhase(version, 'Superseded', 20_000);
    await waitFor(
      'module at v1.3.0',
      async () =>
        (await kube.get(Modules, mod))?.properties?.version === 'v1.3.0' &&
        (await kube.get(Modules, mod))?.status?.phase === 'Ready',
      60_000,
      200,
    );
  });

  it('force deploys a release a Manual policy holds, without approval', async () => {
    await kube.apply(ModuleUpdatePolicies, {
      apiVersion: 'deckhouse.io/v1alpha2',
      kind: 'ModuleUpdatePolicy',
      metadata: { name: manual },
      spec: { releaseChannel: 'Stable', update: { mode: 'Manual' } },
    });
    await config({ enabled: true, source, updatePolicy: manual });
    // The applier has seen the new policy before the new version arrives (else the release is labelled with the old one).
    await waitFor(
      'policy applied',
      async () => (await kube.get(Modules, mod))?.properties?.updatePolicy === manual,
      20_000,
      100,
    );
    await publisher.publish({ module: mod, version: 'v1.4.0', channels: ['stable'] });
    await resync();
    await waitPhase('v1.4.0', 'Pending');
    await kube.mergePatch(ModuleReleases, `${mod}-v1.4.0`, {
      metadata: { annotations: { 'modules.deckhouse.io/force': 'true' } },
    });
    await waitPhase('v1.4.0', 'Deployed');
    await waitPhase('v1.3.0', 'Superseded', 20_000);
    await waitFor(
      'force annotation removed after deploy',
      async () =>
        (await kube.get(ModuleReleases, `${mod}-v1.4.0`))?.metadata.annotations?.['modules.deckhouse.io/force'] ===
        undefined,
      20_000,
      200,
    );
  });

  it('disabling the module deletes its Pending releases and uninstalls it', async () => {
    await publisher.publish({ module: mod, version: 'v1.5.0', channels: ['stable'] });
    await resync();
    await waitPhase('v1.5.0', 'Pending');
    await config({ enabled: false, source, updatePolicy: manual });
    await waitFor(
      'pending release deleted',
      async () => (await kube.get(ModuleReleases, `${mod}-v1.5.0`)) === undefined,
      30_000,
      200,
    );
    expect(await phase('v1.4.0')).toBe('Deployed');
    await waitFor(
      'uninstalled',
      async () =>
        (
          await run(env.kubectl!, ['get', 'configmap', mod, '-n', `d8-${mod}`, '--ignore-not-found'], {
            env: { ...process.env, KUBECONFIG: env.kubeconfig! },
          })
        ).trim() === '',
      30_000,
      200,
    );
    await waitFor(
      'EnabledByModuleConfig False',
      async () =>
        (await kube.get(Modules, mod))?.status?.conditions?.find((c) => c.type === 'EnabledByModuleConfig')?.status ===
        'False',
      30_000,
      200,
    );
  });

  it('deleting the ModuleConfig of an enabled module makes EnabledByModuleConfig Unknown and clears its source and policy', async () => {
    await config({ enabled: true, source, updatePolicy: manual });
    await waitFor(
      'enabled again',
      async () =>
        (await kube.get(Modules, mod))?.status?.conditions?.find((c) => c.type === 'EnabledByModuleConfig')?.status ===
        'True',
      30_000,
      200,
    );
    await kube.delete(ModuleConfigs, mod);
    await waitFor(
      'Unknown',
      async () =>
        (await kube.get(Modules, mod))?.status?.conditions?.find((c) => c.type === 'EnabledByModuleConfig')?.status ===
        'Unknown',
      30_000,
      200,
    );
    const properties = (await kube.get(Modules, mod))?.properties;
    expect(properties?.source ?? '').toBe('');
    expect(properties?.updatePolicy ?? '').toBe('');
  });
});
