import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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
import { run, useEnvironment } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';
import { craftTar, pushImage, type TarEntrySpec } from './registry-support.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const module = `inst-${suffix}`;
const path = `inst-${suffix}/modules`;
const registry = createRegistryClient();
const settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
const publisher = new ModulePublisher(registry, settings, path);
const redis = createRedis({ target: env.redis!.url, name: 'installer-test' });
const locks = new RedisLocks({ redis, prefix: `inst-${suffix}:install-lock`, identity: 'installer-test' });
const records = new InstallRecords(redis, {
  installed: `inst-${suffix}:installed-modules`,
  failures: `inst-${suffix}:install-failures`,
});
let kube: KubeClient;
let installer: HelmInstaller;
let helm: Helm;
const signal = new AbortController().signal;

const source: ModuleSource = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name: `inst-src-${suffix}` },
  spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
};
const release = (version: string, name = module): ModuleRelease => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleRelease',
  metadata: { name: `${name}-${version}` },
  spec: { moduleName: name, version },
});
const config = (settingsValue: Record<string, unknown>, name = module): ModuleConfig => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleConfig',
  metadata: { name },
  spec: { enabled: true, settings: settingsValue },
});

function kubectl(args: string[]): Promise<string> {
  return run(env.kubectl!, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
}

async function ensureModule(name: string): Promise<void> {
  await kube.apply(Modules, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'Module',
    metadata: { name },
    properties: { weight: 900, source: source.metadata.name, availableSources: [source.metadata.name] },
  });
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  helm = new Helm({ binary: findHelm(), kubeconfig: env.kubeconfig });
  installer = new HelmInstaller({
    registry,
    helm,
    locks,
    records,
    store: new ModuleStore(await mkdtemp(join(tmpdir(), 'modsync-store-'))),
    moduleConfig: (name) => configs.get(name),
    log: createLogger({ service: 'test', level: 'silent' }),
  });
  await kube.apply(ModuleSources, source);
  await ensureModule(module);
  await publisher.publish({ module, version: 'v1.0.0', channels: ['stable'] });
});
afterAll(async () => {
  await registry.close();
  await kube.close();
  redis.disconnect();
});

const configs = new Map<string, ModuleConfig>();

/** What the applier's reconcile hands the installer: the release, and the one writer of the Module's status. */
const request = (name: string, r: ModuleRelease) => ({
  module: name,
  release: r,
  source,
  moduleObject: undefined,
  status: installStatusReport(kube, new Writer(kube, () => {}), name, () => new Date()),
});

/** Publishes a one-layer image of `entries` (gzipped) as v0.1.0 of a new enabled module `<kind>-<suffix>`; its name. */
async function pushTampered(kind: string, entries: TarEntrySpec[]): Promise<string> {
  const name = `${kind}-${suffix}`;
  await ensureModule(name);
  configs.set(name, config({}, name));
  await pushImage(registry, settings, `${path}/${name}`, 'v0.1.0', [gzipSync(craftTar(entries))]);
  return name;
}

/** The Module is in Error with `message` on IsReady, and nothing of it was applied (no namespace, no helm release). */
async function expectRefused(name: string, message: RegExp) {
  const status = (await kube.get(Modules, name))!.status!;
  expect(status).toMatchObject({ phase: 'Error', ready: 'Error' });
  expect(status.conditions!.find((c) => c.type === 'IsReady')!.message).toMatch(message);
  await expect(kubectl(['get', 'namespace', `d8-${name}`])).rejects.toThrow(/NotFound|not found/);
  expect(
    await run(findHelm(), ['list', '-A', '-q', '--filter', `^${name}$`], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig! },
    }),
  ).toBe('');
  return status;
}

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('HelmInstaller: bundle → module store → helm, against the real registry, API server and helm', {
  shuffle: false,
}, () => {
  it('downloads, installs and reports Ready: the chart’s ConfigMap is in d8-<module>', async () => {
    configs.set(module, config({ message: 'hi' }));
    await kube.apply(ModuleConfigs, configs.get(module)!);
    await installer.ensure(request(module, release('v1.0.0')), signal);
    const cm = JSON.parse(await kubectl(['get', 'configmap', module, '-n', `d8-${module}`, '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ version: 'v1.0.0', message: 'hi' });
    const status = (await kube.get(Modules, module))!.status!;
    expect(status).toMatchObject({ phase: 'Ready', ready: 'True' });
    const table = await kubectl(['get', 'module', module]);
    expect(table.split('\n')[1]).toMatch(
      new RegExp(`^${module}\\s+900\\s+${source.metadata.name}\\s+Ready\\s+True\\s+True\\s*$`),
    );
  });

  it('is level-triggered: ensuring the same release again changes nothing', async () => {
    const before = (await kube.get(Modules, module))!.metadata.resourceVersion;
    const history = await run(findHelm(), ['history', module, '-n', `d8-${module}`, '-o', 'json'], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig! },
    });
    await installer.ensure(request(module, release('v1.0.0')), signal);
    expect((await kube.get(Modules, module))!.metadata.resourceVersion).toBe(before);
    expect(
      await run(findHelm(), ['history', module, '-n', `d8-${module}`, '-o', 'json'], {
        env: { ...process.env, KUBECONFIG: env.kubeconfig! },
      }),
    ).toBe(history);
  });

  it('refuses invalid settings with a clear message on the Module (and for the ModuleConfig); nothing applied', async () => {
    configs.set(module, config({ message: 123 }));
    const result = await installer.ensure(request(module, release('v1.0.0')), signal);
    // The applier writes it to the ModuleConfig as `Error: <validation error>` (§3).
    expect(result).toEqual({ settingsError: 'settings.message must be string' });
    const status = (await kube.get(Modules, module))!.status!;
    expect(status).toMatchObject({ phase: 'Error', ready: 'Error' });
    expect(status.conditions!.find((c) => c.type === 'IsReady')).toMatchObject({
      status: 'False',
      reason: 'Error',
      message: 'invalid settings: settings.message must be string',
    });
    const table = await kubectl(['get', 'module', module]);
    expect(table.split('\n')[1]).toMatch(/\s+Error\s+True\s+Error\s*$/);
    const cm = JSON.parse(await kubectl(['get', 'configmap', module, '-n', `d8-${module}`, '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data.message).toBe('hi');
  });

  it('upgrades to a new Deployed release', async () => {
    configs.set(module, config({ message: 'again' }));
    await publisher.publish({ module, version: 'v1.1.0', channels: ['stable'] });
    await installer.ensure(request(module, release('v1.1.0')), signal);
    const cm = JSON.parse(await kubectl(['get', 'configmap', module, '-n', `d8-${module}`, '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ version: 'v1.1.0', message: 'again' });
    expect((await kube.get(Modules, module))!.status).toMatchObject({ phase: 'Ready', ready: 'True' });
  });

  it('rejects a tampered bundle (a path escaping the bundle) with Error; nothing applied', async () => {
    const bad = await pushTampered('bad', [{ path: '../escape', body: 'evil\n' }]);
    await installer.ensure(request(bad, release('v0.1.0', bad)), signal);
    await expectRefused(bad, /^download .*:v0\.1\.0: .*\.\./);
  });

  it('rejects a symlink escaping the bundle, and a file written through it; nothing applied', async () => {
    const linked = await pushTampered('link', [{ path: 'templates', type: 'SymbolicLink', linkpath: '../../outside' }]);
    await installer.ensure(request(linked, release('v0.1.0', linked)), signal);
    await expectRefused(linked, /^download .*:v0\.1\.0: archive entry "templates" /);
    const through = await pushTampered('through', [
      { path: 'charts', type: 'SymbolicLink', linkpath: '.' },
      { path: 'charts/escape.txt', body: 'evil\n' },
    ]);
    await installer.ensure(request(through, release('v0.1.0', through)), signal);
    await expectRefused(
      through,
      /^download .*:v0\.1\.0: archive entry "charts\/escape\.txt" would be written through the symlink "charts"$/,
    );
  });

  it('rejects a gzip bomb (40 KiB unpacking to 40 MiB) at the bundle limit; nothing applied', async () => {
    const bomb = await pushTampered('bomb', [{ path: 'bomb.bin', body: Buffer.alloc(40 << 20) }]);
    await installer.ensure(request(bomb, release('v0.1.0', bomb)), signal);
    await expectRefused(bomb, /^download .*:v0\.1\.0: archive entry "bomb\.bin" is larger than 33554432 bytes$/);
  });

  it('refuses a bundle whose module.yaml is not valid (InvalidModuleDefinition); nothing applied', async () => {
    const chart = 'apiVersion: v2\nname: broken\nversion: 0.1.0\n';
    const broken = await pushTampered('yaml', [
      { path: 'Chart.yaml', body: chart },
      { path: 'module.yaml', body: 'name: broken\nnamespace: [d8-oops\n' },
    ]);
    await installer.ensure(request(broken, release('v0.1.0', broken)), signal);
    const status = await expectRefused(broken, /:v0\.1\.0: module\.yaml is not valid YAML: /);
    expect(status.conditions!.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidModuleDefinition',
    });
  });

  it('refuses a bundle with lint errors when the deploy gate is on, with the findings in the Module’s message', async () => {
    const gated = `gated-${suffix}`;
    await ensureModule(gated);
    configs.set(gated, config({}, gated));
    await publisher.publish({ module: gated, version: 'v1.0.0', channels: ['stable'] });
    const strict = new HelmInstaller({
      registry,
      helm,
      locks,
      records,
      lintGate: {},
      store: new ModuleStore(await mkdtemp(join(tmpdir(), 'modsync-store-'))),
      moduleConfig: (name) => configs.get(name),
      log: createLogger({ service: 'test', level: 'silent' }),
    });
    await strict.ensure(request(gated, release('v1.0.0', gated)), signal);
    const status = (await kube.get(Modules, gated))!.status!;
    expect(status).toMatchObject({ phase: 'Error', ready: 'Error' });
    const message = status.conditions!.find((c) => c.type === 'IsReady')!.message!;
    expect(message).toMatch(/^module lint failed with \d+ finding\(s\): \[/);
    expect(message).toContain('README.md file is missing');
    await expect(kubectl(['get', 'namespace', `d8-${gated}`])).rejects.toThrow(/NotFound|not found/);
  });

  it('uninstalls on disable', async () => {
    await installer.remove(module, signal);
    await expect(kubectl(['get', 'configmap', module, '-n', `d8-${module}`])).rejects.toThrow(/not found/i);
  });
});
