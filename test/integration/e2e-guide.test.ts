// The DKP guide ("run and verify a module", shared/spec/guide.md) end to end against modsync: a real syncer and applier
// (with the helm installer) as processes, the real registry, API server and helm, every check through the real kubectl.
// Names are the guide's (example, module-one, module-two); only this file uses them.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Informer, KubeClient, kubeConfigFromString, Modules, type Module } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { run, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `guide-${suffix}/deckhouse/modules`;
const path2 = `guide-${suffix}/other/modules`;
const registry = createRegistryClient();
const publisher = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
  path,
);
const publisher2 = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path2}`, scheme: 'HTTP' }),
  path2,
);
const services: RunningService[] = [];
let kube: KubeClient;
let phases: Informer<Module>;
const seen = new Map<string, string[]>();

const kubectl = (...args: string[]) =>
  run(env.kubectl!, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
const apply = (yaml: string) =>
  run(env.kubectl!, ['apply', '-f', '-'], { input: yaml, env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
/** Cells of row `n` of a `kubectl get` table (split on runs of 2+ spaces, as kubectl pads). */
const cells = (table: string, n = 1) => (table.split('\n')[n] ?? '').trim().split(/\s{2,}/);
const lines = (table: string) => table.trim().split('\n');

async function moduleRow(name: string): Promise<string[]> {
  const table = await kubectl('get', 'module', name);
  expect(cells(table, 0)).toEqual(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']);
  return table.split('\n')[1]!.trim().split(/\s+/);
}

async function waitModule(name: string, expected: string[], timeoutMs = 60_000): Promise<void> {
  let last: string[] = [];
  await waitFor(
    `kubectl get module ${name} → ${expected.join(' ')} (last: ${last.join(' ')})`,
    async () => {
      last = await moduleRow(name).catch(() => []);
      return JSON.stringify(last) === JSON.stringify(expected);
    },
    timeoutMs,
    200,
  );
}

const serviceEnv = (store: string) => ({
  MODSYNC_REDIS_URL: env.redis!.url,
  KUBECONFIG: env.kubeconfig!,
  MODSYNC_REDIS_PREFIX: `guide-${suffix}`,
  MODSYNC_SOURCE_SELECTOR: `guide=${suffix}`,
  MODSYNC_SYNC_INTERVAL: '1h',
  MODSYNC_RESYNC_INTERVAL: '5s',
  MODSYNC_PENDING_RECHECK: '1s',
  MODSYNC_MODULE_STORE: store,
  MODSYNC_DECKHOUSE_VERSION: 'v1.70.0',
});

async function resync(name: string): Promise<void> {
  await kubectl('annotate', 'ms', name, `${RESYNC_ANNOTATION}=${Date.now()}`, '--overwrite');
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  phases = new Informer(kube, Modules)
    .on({
      onUpsert: (m) => {
        const list = seen.get(m.metadata.name) ?? [];
        const phase = m.status?.phase ?? '';
        if (list.at(-1) !== phase) list.push(phase);
        seen.set(m.metadata.name, list);
      },
    })
    .start();
  await publisher.publish({ module: 'module-one', version: 'v0.7.23', weight: 910 });
  await publisher.publish({
    module: 'module-one',
    version: 'v0.7.24',
    weight: 910,
    channels: ['stable'],
    requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' },
  });
  await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
  const store = await mkdtemp(join(tmpdir(), 'modsync-guide-store-'));
  services.push(
    await startService('syncer', { logDir: env.logDir, instance: `guide-${suffix}`, env: serviceEnv(store) }),
  );
  services.push(
    await startService('applier', { logDir: env.logDir, instance: `guide-${suffix}`, env: serviceEnv(store) }),
  );
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await phases.stop();
  for (const kind of ['moduleconfig', 'mup', 'ms']) {
    await kubectl('delete', kind, '--all', '--ignore-not-found', '--wait=false', '-l', `guide=${suffix}`).catch(
      () => {},
    );
  }
  await kubectl(
    'delete',
    'moduleconfig',
    'module-one',
    'module-two',
    'module-three',
    'module-1',
    '--ignore-not-found',
    '--wait=false',
  ).catch(() => {});
  await registry.close();
  await kube.close();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('the DKP module guide, verbatim, against modsync', { shuffle: false }, () => {
  it('ModuleSource: kubectl get ms shows it synced and Ready, with its modules', async () => {
    await apply(`apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata:
  name: example
  labels: {guide: "${suffix}"}
spec:
  registry:
    repo: ${env.registry!.host}/${path}
    scheme: HTTP
`);
    await waitFor(
      'example synced',
      async () => cells(await kubectl('get', 'ms', 'example'))[3] === 'Ready',
      20_000,
      100,
    );
    const table = await kubectl('get', 'ms');
    expect(cells(table, 0)).toEqual(['NAME', 'COUNT', 'SYNC', 'MSG']);
    expect(lines(table).find((l) => l.startsWith('example '))).toMatch(/^example\s+2\s+\d+s\s+Ready$/);
    expect(await kubectl('get', 'ms', 'example', '-o', 'jsonpath={.status.modules[*].name}')).toBe(
      'module-one module-two',
    );
    expect((await kubectl('get', 'ms', '-o', 'jsonpath={.items[*].status.modules[*].name}')).split(' ')).toEqual(
      expect.arrayContaining(['module-one', 'module-two']),
    );
  });

  it('Modules appear by themselves: Available, not enabled, not ready', async () => {
    await waitModule('module-one', ['module-one', 'Available', 'False', 'False'], 20_000);
    await waitModule('module-two', ['module-two', 'Available', 'False', 'False'], 20_000);
    const yaml = parse(await kubectl('get', 'module', 'module-one', '-oyaml')) as Module;
    expect(yaml.properties).toEqual({ availableSources: ['example'] });
    const conditions = Object.fromEntries(
      (yaml.status?.conditions ?? []).map((c) => [c.type, [c.status, c.reason ?? '', c.message ?? '']]),
    );
    expect(conditions).toMatchObject({
      EnabledByModuleConfig: ['False', 'Disabled', 'disabled'],
      EnabledByModuleManager: ['False', '', ''],
      IsReady: ['False', 'NotInstalled', 'not installed'],
    });
    expect(yaml.status?.phase).toBe('Available');
  });

  it('enabling the module: Downloading → Installing → Ready, with the release Deployed and its chart installed', async () => {
    await apply(`apiVersion: deckhouse.io/v1alpha1
kind: ModuleConfig
metadata:
  name: module-one
spec:
  enabled: true
  source: example
`);
    await waitModule('module-one', ['module-one', '910', 'example', 'Ready', 'True', 'True']);
    const path = seen.get('module-one') ?? [];
    expect(path.at(-1)).toBe('Ready');
    expect(path).toContain('Downloading');
    for (const phase of path) expect(['', 'Available', 'Downloading', 'Installing', 'Ready']).toContain(phase);

    const yaml = parse(await kubectl('get', 'module', 'module-one', '-oyaml')) as Module;
    expect(yaml.properties).toMatchObject({
      availableSources: ['example'],
      releaseChannel: 'Stable',
      requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' },
      source: 'example',
      version: 'v0.7.24',
      weight: 910,
    });
    const conditions = Object.fromEntries((yaml.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({
      EnabledByModuleConfig: 'True',
      EnabledByModuleManager: 'True',
      IsReady: 'True',
    });

    const mr = await kubectl('get', 'mr');
    expect(cells(mr, 0)).toEqual(['NAME', 'PHASE', 'UPDATE POLICY', 'TRANSITIONTIME', 'MESSAGE']);
    // Padded to the widest MESSAGE of all releases in the cluster (other tests' too): trailing spaces are the empty cell.
    expect(lines(mr).find((l) => l.startsWith('module-one-v0.7.24 '))).toMatch(
      /^module-one-v0\.7\.24\s+Deployed\s+deckhouse\s+\d+s\s*$/,
    );
    const cm = JSON.parse(await kubectl('get', 'configmap', 'module-one', '-n', 'd8-module-one', '-o', 'json')) as {
      data: Record<string, string>;
    };
    expect(cm.data.version).toBe('v0.7.24');
  });

  it('in case of errors the module enters the Error phase (READY shows Error), and recovers', async () => {
    await kubectl('patch', 'moduleconfig', 'module-one', '--type=merge', '-p', '{"spec":{"settings":{"message":42}}}');
    await waitModule('module-one', ['module-one', '910', 'example', 'Error', 'True', 'Error']);
    await waitFor(
      'moduleconfig message',
      async () =>
        cells(await kubectl('get', 'moduleconfig', 'module-one'))[3] === 'Error: settings.message must be string',
      20_000,
      200,
    );
    await kubectl(
      'patch',
      'moduleconfig',
      'module-one',
      '--type=merge',
      '-p',
      '{"spec":{"settings":{"message":"fixed"}}}',
    );
    await waitModule('module-one', ['module-one', '910', 'example', 'Ready', 'True', 'True']);
  });

  it('an unknown module name in a ModuleConfig: Ignored: unknown module name', async () => {
    await apply(
      'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata:\n  name: module-1\nspec:\n  enabled: true\n',
    );
    await waitFor(
      'ignored',
      async () =>
        /Ignored: unknown module name$/.test((await kubectl('get', 'moduleconfig', 'module-1')).split('\n')[1] ?? ''),
      20_000,
      200,
    );
    const table = await kubectl('get', 'moduleconfig', 'module-1');
    expect(cells(table, 0)).toEqual(['NAME', 'ENABLED', 'VERSION', 'AGE', 'MESSAGE']);
    expect(table.split('\n')[1]).toMatch(/^module-1\s+true\s+\d+s\s+Ignored: unknown module name$/);
  });

  it('a module that cannot be pulled: Some errors occurred, with the registry’s message in pullError', async () => {
    await publisher.listModule('module-three');
    await apply(
      'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata:\n  name: module-three\nspec:\n  enabled: true\n',
    );
    await resync('example');
    await waitFor(
      'errors',
      async () =>
        cells(await kubectl('get', 'ms', 'example'))[3] === 'Some errors occurred. Inspect status for details',
      20_000,
      200,
    );
    expect(cells(await kubectl('get', 'ms', 'example'))[1]).toBe('3');
    const out = await kubectl(
      'get',
      'ms',
      'example',
      '-o',
      `jsonpath={range .status.modules[*]}{.name}{" module error:\\n\\t"}{.pullError}{"\\n"}{end}`,
    );
    expect(out).toContain(
      `module-three module error:\n\tget image info: fetch image error: GET http://${env.registry!.host}/v2/${path}/module-three/release/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]\n`,
    );
  });

  it('several sources and none picked: Conflict; spec.source resolves it', async () => {
    await publisher2.publish({ module: 'module-two', version: 'v1.2.4', channels: ['stable'] });
    await apply(`apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata:
  name: example-2
  labels: {guide: "${suffix}"}
spec:
  registry:
    repo: ${env.registry!.host}/${path2}
    scheme: HTTP
`);
    await waitFor(
      'example-2 synced',
      async () => cells(await kubectl('get', 'ms', 'example-2'))[3] === 'Ready',
      20_000,
      100,
    );
    await apply(
      'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata:\n  name: module-two\nspec:\n  enabled: true\n',
    );
    await waitModule('module-two', ['module-two', 'Conflict', 'False', 'False']);
    await kubectl('patch', 'moduleconfig', 'module-two', '--type=merge', '-p', '{"spec":{"source":"example"}}');
    await waitModule('module-two', ['module-two', '900', 'example', 'Ready', 'True', 'True']);
  });

  it('a Manual update policy keeps the new release Pending until approved; kubectl annotate deploys it', async () => {
    await apply(`apiVersion: deckhouse.io/v1alpha2
kind: ModuleUpdatePolicy
metadata:
  name: example-update-policy
  labels: {guide: "${suffix}"}
spec:
  releaseChannel: Stable
  update:
    mode: Manual
`);
    await kubectl(
      'patch',
      'moduleconfig',
      'module-two',
      '--type=merge',
      '-p',
      '{"spec":{"updatePolicy":"example-update-policy"}}',
    );
    // The applier has seen the policy before the new version arrives (else the release is labelled with the old one).
    await waitFor(
      'policy applied',
      async () => (await kube.get(Modules, 'module-two'))?.properties?.updatePolicy === 'example-update-policy',
      20_000,
      100,
    );
    await publisher.publish({ module: 'module-two', version: 'v1.3.0', channels: ['stable'] });
    await resync('example');
    await waitFor(
      'pending',
      async () => /Pending/.test(await kubectl('get', 'mr', 'module-two-v1.3.0').catch(() => '')),
      30_000,
      200,
    );
    const row = (await kubectl('get', 'mr', 'module-two-v1.3.0')).split('\n')[1]!;
    expect(row).toMatch(
      /^module-two-v1\.3\.0\s+Pending\s+example-update-policy\s+\d+s\s+Waiting for the 'release\.deckhouse\.io\/approved: "true"' annotation$/,
    );
    // The guide's `kubectl annotate mr … modules.deckhouse.io/approved="true"`, after the shell removed the quotes.
    await kubectl('annotate', 'mr', 'module-two-v1.3.0', 'modules.deckhouse.io/approved=true');
    await waitFor(
      'deployed',
      async () => /Deployed/.test(await kubectl('get', 'mr', 'module-two-v1.3.0')),
      30_000,
      200,
    );
    await waitFor(
      'superseded',
      async () => /Superseded/.test(await kubectl('get', 'mr', 'module-two-v1.2.3')),
      30_000,
      200,
    );
    await waitModule('module-two', ['module-two', '900', 'example', 'Ready', 'True', 'True']);
  });

  it('disabling the module uninstalls it', async () => {
    await kubectl('patch', 'moduleconfig', 'module-one', '--type=merge', '-p', '{"spec":{"enabled":false}}');
    await waitFor(
      'uninstalled',
      async () =>
        (await kubectl('get', 'configmap', 'module-one', '-n', 'd8-module-one', '--ignore-not-found')).trim() === '',
      30_000,
      200,
    );
  });
});
