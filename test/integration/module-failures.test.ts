// A failure reaches the Module's status (the failure table, docs/dkp-contract.md §1-§9 and services/applier/README.md):
// releases that cannot be created say so on the Module (Reconciling True, reason ReleaseCreationFailed, the error's
// own message) instead of only in a log line, and the condition is cleared once they can be created.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, kubeConfigFromString, ModuleConfigs, ModuleReleases, Modules, ModuleSources } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `fail-${suffix}/modules`;
const source = `fail-${suffix}`;
const mod = `fail-mod-${suffix}`;
const registry = createRegistryClient();
const publisher = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
  path,
);
const services: RunningService[] = [];
let kube: KubeClient;

const condition = async (type: string) =>
  (await kube.get(Modules, mod))?.status?.conditions?.find((c) => c.type === type);
const resync = () =>
  kube.mergePatch(ModuleSources, source, { metadata: { annotations: { [RESYNC_ANNOTATION]: String(Date.now()) } } });

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher.publish({ module: mod, version: 'v1.0.0', channels: ['stable'] });
  const common = serviceEnv({ env, prefix: `fail-${suffix}`, selector: `fail=${suffix}` });
  services.push(await startService('syncer', { logDir: env.logDir, instance: `fail-${suffix}`, env: common }));
  services.push(await startService('applier', { logDir: env.logDir, instance: `fail-${suffix}`, env: common }));
  await kube.apply(ModuleSources, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name: source, labels: { fail: suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  });
  await kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name: mod },
    spec: { enabled: true },
  });
  await waitFor(
    'v1.0.0 Deployed',
    async () => (await kube.get(ModuleReleases, `${mod}-v1.0.0`))?.status?.phase === 'Deployed',
    60_000,
    200,
  );
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await kube.delete(ModuleConfigs, mod);
  await kube.delete(ModuleSources, source);
  await kube.mergePatch(ModuleSources, source, { metadata: { finalizers: null } }).catch(() => undefined);
  await kube.delete(Modules, mod);
  for (const r of (await kube.list(ModuleReleases)).items.filter((r) => r.metadata.name.startsWith(`${mod}-`)))
    await kube.delete(ModuleReleases, r.metadata.name);
  await registry.close();
  await kube.close();
});

describe('a failure reaches the Module status, with what happens next', () => {
  it('releases that cannot be created: Reconciling True, ReleaseCreationFailed, the registry client’s message; cleared once they can', async () => {
    // Two minors ahead: the step release v1.1.0 is read by the applier, and its release image is over the 1 MiB limit.
    await publisher.publish({ module: mod, version: 'v1.1.0', changelog: { features: ['x'.repeat(1_200_000)] } });
    await publisher.publish({ module: mod, version: 'v1.2.0' });
    await publisher.publish({ module: mod, version: 'v1.3.0', channels: ['stable'] });
    await resync();
    await waitFor('Reconciling True', async () => (await condition('Reconciling'))?.status === 'True', 60_000, 200);
    const reconciling = (await condition('Reconciling'))!;
    expect(reconciling.reason).toBe('ReleaseCreationFailed');
    expect(reconciling.message).toMatch(/^create releases: /);
    expect(await condition('Stalled')).toMatchObject({ status: 'False', reason: 'ReleaseCreationFailed' });

    // A fixed v1.1.0: the next attempt (with backoff) creates the chain and clears the condition.
    await publisher.publish({ module: mod, version: 'v1.1.0' });
    await waitFor('cleared', async () => (await condition('Reconciling'))?.status === 'False', 90_000, 500);
    expect(await condition('Reconciling')).toMatchObject({ reason: 'Succeeded' });
    expect(await kube.get(ModuleReleases, `${mod}-v1.1.0`)).toBeDefined();
  });
});
