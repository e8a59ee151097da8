// The applier as a real process beside a real syncer, against the environment's kube-apiserver, Redis and registry:
// the DKP module guide's walkthrough end to end, read through real kubectl. Names carry a per-run suffix; waits are on
// conditions with deadlines.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMessageTime, nextWindowOpening } from '@modsync/dkp';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  Modules,
  ModuleSources,
  ModuleUpdatePolicies,
  type ModuleConfig,
  type ModuleSource,
  type ModuleUpdatePolicy,
  type UpdateWindow,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { startApplier, loadApplierConfig, type RunningApplier } from '@modsync/applier';
import { createLogger } from '@modsync/runtime';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { run, serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const registry = createRegistryClient();
const pathA = `app-${suffix}/a`;
const pathB = `app-${suffix}/b`;
const publisherA = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${pathA}`, scheme: 'HTTP' }),
  pathA,
);
const publisherB = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${pathB}`, scheme: 'HTTP' }),
  pathB,
);
const srcA = `src-a-${suffix}`;
const srcB = `src-b-${suffix}`;
const one = `one-${suffix}`;
const two = `two-${suffix}`;
const three = `three-${suffix}`;
const req = `req-${suffix}`;
const APPROVAL = `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`;
let kube: KubeClient;
let syncer: RunningService;
let applier: RunningService | undefined;
/** A second replica: both share the events (consumer group) and decide concurrently (optimistic concurrency). */
let applier2: RunningService | undefined;
let inProcess: RunningApplier | undefined;

// Release decisions only (MODSYNC_INSTALLER none): installing is tested end to end in e2e-guide.test.ts.
const suiteEnv = () =>
  serviceEnv({ env, prefix: `app-${suffix}`, selector: `suite=${suffix}` }, { MODSYNC_LOG_LEVEL: 'debug' });

const kubectl = (...args: string[]) =>
  run(env.kubectl!, args, { env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
/** The data row of a one-object `kubectl get`, columns split on runs of spaces (empty cells vanish). */
const row = async (...args: string[]) =>
  (await kubectl('get', ...args))
    .split('\n')[1]!
    .trim()
    .split(/\s{2,}|\s+/);
const header = async (...args: string[]) =>
  (await kubectl('get', ...args))
    .split('\n')[0]!
    .trim()
    .split(/\s{2,}/);

function source(name: string, path: string): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { suite: suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  };
}

function policy(name: string, mode: 'Auto' | 'Manual' | 'AutoPatch', windows?: UpdateWindow[]): ModuleUpdatePolicy {
  return {
    apiVersion: 'deckhouse.io/v1alpha2',
    kind: 'ModuleUpdatePolicy',
    metadata: { name },
    spec: { releaseChannel: 'Stable', update: { mode, ...(windows ? { windows } : {}) } },
  };
}

async function config(name: string, spec: ModuleConfig['spec']): Promise<void> {
  await kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name },
    spec,
  });
}

async function resync(name: string): Promise<void> {
  await kube.mergePatch(ModuleSources, name, {
    metadata: { annotations: { [RESYNC_ANNOTATION]: new Date().toISOString() } },
  });
}

const module = (name: string) => kube.get(Modules, name);
const release = (name: string) => kube.get(ModuleReleases, name);
const phaseOf = async (name: string) => (await release(name))?.status?.phase;

/**
 * Waits until the release is in `phase` and settled: its `status` label agrees and no one-shot annotation (apply-now,
 * force) is left on a Deployed release. A deploy is several writes; a reader may see the first before the last.
 */
async function waitPhase(name: string, phase: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `${name} ${phase}`,
    async () => {
      const r = await release(name);
      if (r?.status?.phase !== phase) return false;
      const label = r.metadata.labels?.status;
      if ((phase === 'Pending' ? undefined : phase.toLowerCase()) !== label) return false;
      const annotations = r.metadata.annotations ?? {};
      return (
        phase !== 'Deployed' ||
        (annotations['modules.deckhouse.io/apply-now'] === undefined &&
          annotations['modules.deckhouse.io/force'] === undefined)
      );
    },
    timeoutMs,
    100,
  );
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisherA.publish({
    module: one,
    version: 'v0.7.23',
    channels: ['stable'],
    weight: 910,
    requirements: { kubernetes: '>= 1.20' },
  });
  await publisherA.publish({ module: two, version: 'v1.0.1', channels: ['stable'] });
  await publisherB.publish({ module: two, version: 'v1.0.0', channels: ['stable'] });
  await publisherB.publish({ module: three, version: 'v0.1.0', channels: ['stable'] });
  await publisherA.publish({
    module: req,
    version: 'v0.1.0',
    channels: ['stable'],
    requirements: { kubernetes: '< 1.0' },
  });
  syncer = await startService('syncer', { logDir: env.logDir, instance: `app-${suffix}`, env: suiteEnv() });
  applier = await startService('applier', { logDir: env.logDir, instance: `app-${suffix}`, env: suiteEnv() });
  applier2 = await startService('applier', { logDir: env.logDir, instance: `app2-${suffix}`, env: suiteEnv() });
});

afterAll(async () => {
  await inProcess?.stop();
  await applier?.stop();
  await applier2?.stop();
  await syncer?.stop();
  for (const name of [one, two, req, `nosuch-${suffix}`]) await kube.delete(ModuleConfigs, name);
  for (const name of ['manual', 'window', 'auto'].map((p) => `${p}-${suffix}`))
    await kube.delete(ModuleUpdatePolicies, name);
  for (const name of [srcA, srcB]) {
    await kube.delete(ModuleSources, name);
    // The services are stopped: nobody is left to take modsync's finalizers off.
    await kube.mergePatch(ModuleSources, name, { metadata: { finalizers: null } }).catch(() => undefined);
  }
  for (const name of [one, two, three, req]) await kube.delete(Modules, name);
  await registry.close();
  await kube.close();
});

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('applier service (real processes, the guide end to end)', { shuffle: false }, () => {
  it('modules a source offers appear Available: kubectl get module prints the guide’s columns', async () => {
    await kube.apply(ModuleSources, source(srcA, pathA));
    await waitFor('module Available', async () => (await module(one))?.status?.phase === 'Available', 20_000);
    expect(await header('module', one)).toEqual(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']);
    expect(await row('module', one)).toEqual([one, 'Available', 'False', 'False']);
    const m = (await module(one))!;
    expect(m.properties).toEqual({ availableSources: [srcA] });
    const conditions = Object.fromEntries(
      (m.status?.conditions ?? []).map((c) => [c.type, [c.status, c.reason, c.message]]),
    );
    expect(conditions).toEqual({
      EnabledByModuleConfig: ['False', 'Disabled', 'disabled'],
      EnabledByModuleManager: ['False', undefined, undefined],
      IsReady: ['False', 'NotInstalled', 'not installed'],
    });
    expect(m.status?.ready).toBe('False');
  });

  it('a ModuleConfig for no module says so: Ignored: unknown module name', async () => {
    await config(`nosuch-${suffix}`, { enabled: true });
    await waitFor(
      'ignored',
      async () =>
        (await kube.get(ModuleConfigs, `nosuch-${suffix}`))?.status?.message === 'Ignored: unknown module name',
      20_000,
    );
    const table = await kubectl('get', 'moduleconfig', `nosuch-${suffix}`);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+ENABLED\s+VERSION\s+AGE\s+MESSAGE$/);
    expect(table.split('\n')[1]).toMatch(
      new RegExp(`^nosuch-${suffix}\\s+true\\s+\\d+s\\s+Ignored: unknown module name$`),
    );
  });

  it('enabling a module creates its first release and deploys it at once (default policy: deckhouse)', async () => {
    await config(one, { enabled: true, source: srcA });
    await waitPhase(`${one}-v0.7.23`, 'Deployed');
    // Labels and owner follow the phase in the next write: a Deployed release is not owned by its source, so the
    // garbage collector never takes an installed release (docs/dkp-contract.md §1 "Deletion").
    await waitFor(
      'deployed label, no owner',
      async () => {
        const stored = await release(`${one}-v0.7.23`);
        return stored?.metadata.labels?.status === 'deployed' && stored.metadata.ownerReferences === undefined;
      },
      10_000,
    );
    const mr = (await release(`${one}-v0.7.23`))!;
    expect(mr.spec).toMatchObject({
      moduleName: one,
      version: 'v0.7.23',
      weight: 910,
      requirements: { kubernetes: '>= 1.20' },
    });
    expect(mr.spec.changelog).toEqual({ features: [`${one} v0.7.23`] });
    expect(mr.metadata.labels).toMatchObject({
      module: one,
      source: srcA,
      'modules.deckhouse.io/update-policy': 'deckhouse',
      status: 'deployed',
    });
    expect(mr.metadata.labels?.['release-checksum']).toMatch(/^[0-9a-f]{32}$/);
    expect(mr.metadata.ownerReferences).toBeUndefined();
    expect(mr.metadata.annotations?.['modules.deckhouse.io/apply-now']).toBeUndefined();
    expect(mr.metadata.annotations?.['modules.deckhouse.io/change-cause']).toBe(
      'check release (no releases in cluster)',
    );
    await waitFor('module downloading', async () => (await module(one))?.properties?.version === 'v0.7.23', 10_000);
    const m = (await module(one))!;
    expect(m.properties).toMatchObject({
      source: srcA,
      releaseChannel: 'Stable',
      weight: 910,
      requirements: { kubernetes: '>= 1.20' },
    });
    expect(await row('module', one)).toEqual([one, '910', srcA, 'Downloading', 'False', 'False']);
    const mrRow = await kubectl('get', 'mr', `${one}-v0.7.23`);
    expect(mrRow.split('\n')[0]).toMatch(/^NAME\s+PHASE\s+UPDATE POLICY\s+TRANSITIONTIME\s+MESSAGE$/);
    expect(mrRow.split('\n')[1]).toMatch(new RegExp(`^${one}-v0.7.23\\s+Deployed\\s+deckhouse\\s+\\d+s\\s*$`));
    expect((await kube.get(ModuleConfigs, one))?.status?.message ?? '').toBe('');
  });

  it('a new patch on the channel supersedes the deployed release', async () => {
    await publisherA.publish({ module: one, version: 'v0.7.24', channels: ['stable'], weight: 910 });
    await resync(srcA);
    await waitPhase(`${one}-v0.7.24`, 'Deployed');
    await waitPhase(`${one}-v0.7.23`, 'Superseded');
    expect((await release(`${one}-v0.7.23`))?.metadata.labels?.status).toBe('superseded');
    await waitFor('module version', async () => (await module(one))?.properties?.version === 'v0.7.24', 10_000);
  });

  it('Manual policy leaves the next release Pending with the guide’s message; kubectl annotate deploys it', async () => {
    await kube.apply(ModuleUpdatePolicies, policy(`manual-${suffix}`, 'Manual'));
    await config(one, { enabled: true, source: srcA, updatePolicy: `manual-${suffix}` });
    // The applier has seen the policy before the new version arrives (else the release is labelled with the old one).
    await waitFor(
      'policy applied',
      async () => (await module(one))?.properties?.updatePolicy === `manual-${suffix}`,
      20_000,
    );
    await publisherA.publish({ module: one, version: 'v0.7.25', channels: ['stable'], weight: 910 });
    await resync(srcA);
    await waitFor(
      'pending with approval message',
      async () => (await release(`${one}-v0.7.25`))?.status?.message === APPROVAL,
      20_000,
    );
    const r = (await release(`${one}-v0.7.25`))!;
    expect(r.status?.phase).toBe('Pending');
    expect(r.metadata.labels?.['modules.deckhouse.io/update-policy']).toBe(`manual-${suffix}`);
    const line = (await kubectl('get', 'mr', `${one}-v0.7.25`)).split('\n')[1]!;
    expect(line).toMatch(
      new RegExp(
        `^${one}-v0.7.25\\s+Pending\\s+manual-${suffix}\\s+\\d+s\\s+${APPROVAL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      ),
    );
    expect(await phaseOf(`${one}-v0.7.24`)).toBe('Deployed');

    await kubectl('annotate', 'mr', `${one}-v0.7.25`, 'modules.deckhouse.io/approved=true');
    await waitPhase(`${one}-v0.7.25`, 'Deployed');
    await waitPhase(`${one}-v0.7.24`, 'Superseded');
    expect((await release(`${one}-v0.7.25`))?.status?.message).toBe('');
  });

  it('a closed update window keeps an Auto release Pending, naming the next opening; apply-now deploys it', async () => {
    const now = new Date();
    const hhmm = (d: Date) =>
      `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const windows: UpdateWindow[] = [
      { from: hhmm(new Date(now.getTime() + 2 * 3600_000)), to: hhmm(new Date(now.getTime() + 3 * 3600_000)) },
    ];
    await kube.apply(ModuleUpdatePolicies, policy(`window-${suffix}`, 'Auto', windows));
    await config(one, { enabled: true, source: srcA, updatePolicy: `window-${suffix}` });
    await publisherA.publish({ module: one, version: 'v0.7.26', channels: ['stable'], weight: 910 });
    await resync(srcA);
    const opening = nextWindowOpening(windows as never, new Date());
    const expected = `Release is waiting for the update window until ${formatMessageTime(opening!)}`;
    await waitFor(
      'window message',
      async () => (await release(`${one}-v0.7.26`))?.status?.message === expected,
      20_000,
    );
    expect(await phaseOf(`${one}-v0.7.26`)).toBe('Pending');
    expect(await phaseOf(`${one}-v0.7.25`)).toBe('Deployed');

    await kubectl('annotate', 'mr', `${one}-v0.7.26`, 'modules.deckhouse.io/apply-now=true');
    await waitPhase(`${one}-v0.7.26`, 'Deployed');
    await waitFor(
      'apply-now removed',
      async () =>
        (await release(`${one}-v0.7.26`))?.metadata.annotations?.['modules.deckhouse.io/apply-now'] === undefined,
      10_000,
    );
  });

  it('Auto deploys the channel version; history keeps three outdated releases', async () => {
    await kube.apply(ModuleUpdatePolicies, policy(`auto-${suffix}`, 'Auto'));
    await config(one, { enabled: true, source: srcA, updatePolicy: `auto-${suffix}` });
    await publisherA.publish({ module: one, version: 'v0.7.27', channels: ['stable'], weight: 910 });
    await resync(srcA);
    await waitPhase(`${one}-v0.7.27`, 'Deployed');
    await waitFor('oldest deleted', async () => (await release(`${one}-v0.7.23`)) === undefined, 10_000);
    for (const v of ['24', '25', '26']) await waitPhase(`${one}-v0.7.${v}`, 'Superseded');
  });

  it('two sources and no spec.source: Conflict; spec.source resolves it; changing it switches the source', async () => {
    await kube.apply(ModuleSources, source(srcB, pathB));
    await waitFor('two sources', async () => (await module(two))?.properties?.availableSources?.length === 2, 20_000);
    expect((await module(two))?.status?.phase).toBe('Available');
    await config(two, { enabled: true });
    await waitFor('conflict', async () => (await module(two))?.status?.phase === 'Conflict', 20_000);
    expect(await row('module', two)).toEqual([two, 'Conflict', 'False', 'False']);
    const ready = (await module(two))?.status?.conditions?.find((c) => c.type === 'IsReady');
    expect(ready).toMatchObject({ status: 'False', reason: 'Conflict', message: 'several available sources' });
    expect(await kube.get(ModuleReleases, `${two}-v1.0.0`)).toBeUndefined();

    await config(two, { enabled: true, source: srcB });
    await waitPhase(`${two}-v1.0.0`, 'Deployed');
    expect((await release(`${two}-v1.0.0`))?.metadata.labels?.source).toBe(srcB);
    await waitFor('module from B', async () => (await module(two))?.status?.phase === 'Downloading', 10_000);
    expect((await module(two))?.properties?.source).toBe(srcB);

    await config(two, { enabled: true, source: srcA });
    await waitPhase(`${two}-v1.0.1`, 'Deployed');
    expect((await release(`${two}-v1.0.1`))?.metadata.labels?.source).toBe(srcA);
    // The deploy writes the new release first, then supersedes the old one.
    await waitPhase(`${two}-v1.0.0`, 'Superseded');
    await waitFor('module from A', async () => (await module(two))?.properties?.source === srcA, 10_000);
  });

  it('an unmet requirement keeps even a first release Pending, checked against the API server’s real version', async () => {
    await config(req, { enabled: true });
    await waitFor(
      'requirement message',
      async () =>
        /^requirements are not satisfied: current kubernetes version is not suitable: v\d+\.\d+\.\d+\S* is greater than or equal to 1\.0$/.test(
          (await release(`${req}-v0.1.0`))?.status?.message ?? '',
        ),
      20_000,
    );
    expect(await phaseOf(`${req}-v0.1.0`)).toBe('Pending');
  });

  it('an idle cluster costs no writes: full resyncs and repeated reconciles write nothing', async () => {
    const url = applier!.url;
    const writes = async () =>
      (await metric(url, 'modsync_applier_writes_total')) +
      (await metric(applier2!.url, 'modsync_applier_writes_total'));
    await waitFor(
      'settled',
      async () => {
        const before = await writes();
        const resyncs = await metric(url, 'modsync_applier_resyncs_total');
        await waitFor(
          'a resync',
          async () => (await metric(url, 'modsync_applier_resyncs_total')) >= resyncs + 2,
          10_000,
          200,
        );
        return (await writes()) === before;
      },
      40_000,
      0,
    );
    expect(
      (await metric(url, 'modsync_applier_events_total')) +
        (await metric(applier2!.url, 'modsync_applier_events_total')),
    ).toBeGreaterThan(0);
    expect(await metric(url, 'modsync_releases')).toBeGreaterThan(0);
    const versions = async () =>
      [
        ...(await kube.list(Modules)).items
          .filter((m) => m.metadata.name.endsWith(suffix))
          .map((m) => `${m.metadata.name}@${m.metadata.resourceVersion}`),
        ...(await kube.list(ModuleReleases)).items
          .filter((m) => m.metadata.name.includes(suffix))
          .map((m) => `${m.metadata.name}@${m.metadata.resourceVersion}`),
      ].sort();
    const before = await versions();
    const resyncs = await metric(url, 'modsync_applier_resyncs_total');
    await waitFor(
      'two more resyncs',
      async () => (await metric(url, 'modsync_applier_resyncs_total')) >= resyncs + 2,
      10_000,
      200,
    );
    expect(await versions()).toEqual(before);
  });

  it('a module no source offers any more is deleted; one still offered elsewhere loses that source', async () => {
    await waitFor(
      'three offered by B',
      async () => (await module(three))?.properties?.availableSources?.[0] === srcB,
      20_000,
    );
    await kube.delete(ModuleSources, srcB);
    await waitFor('three deleted', async () => (await module(three)) === undefined, 20_000);
    await waitFor(
      'two keeps A only',
      async () => JSON.stringify((await module(two))?.properties?.availableSources) === JSON.stringify([srcA]),
      20_000,
    );
    expect((await module(two))?.properties?.source).toBe(srcA);
  });

  it('a restarted applier loses nothing: work done while it was down is picked up, Deployed stays Deployed', async () => {
    const deployedAt = (await release(`${one}-v0.7.27`))?.status?.transitionTime;
    await applier!.kill();
    await applier2!.kill();
    applier = undefined;
    applier2 = undefined;
    await config(one, { enabled: true, source: srcA, updatePolicy: `manual-${suffix}` });
    await publisherA.publish({ module: one, version: 'v0.7.28', channels: ['stable'], weight: 910 });
    await resync(srcA);
    await waitFor(
      'synced while the applier is down',
      async () =>
        (await kube.get(ModuleSources, srcA))?.status?.modules?.find((m) => m.name === one)?.version === 'v0.7.28',
      20_000,
    );

    inProcess = await startApplier(
      loadApplierConfig({
        ...process.env,
        ...suiteEnv(),
        MODSYNC_HTTP_PORT: '0',
        MODSYNC_IDENTITY: `app-${suffix}-b`,
        MODSYNC_RESYNC_INTERVAL: '1h',
      }),
      createLogger({ service: 'applier', level: 'warn' }),
    );
    await waitFor(
      'pending after restart',
      async () => (await release(`${one}-v0.7.28`))?.status?.message === APPROVAL,
      20_000,
    );
    expect(await phaseOf(`${one}-v0.7.27`)).toBe('Deployed');
    expect((await release(`${one}-v0.7.27`))?.status?.transitionTime).toBe(deployedAt);

    // Each reconciler twice over a settled state: the second pass writes nothing.
    for (const name of [one, two, req, `nosuch-${suffix}`]) {
      await inProcess.reconcileNow(name);
      expect((await inProcess.reconcileNow(name)).writes).toEqual([]);
    }
    await kubectl('annotate', 'mr', `${one}-v0.7.28`, 'release.deckhouse.io/approved=true');
    await waitPhase(`${one}-v0.7.28`, 'Deployed');
    // The Module follows its Deployed release in the same reconcile, a moment after the release's status.
    await waitFor(
      'module version',
      async () => (await kube.get(Modules, one))?.properties?.version === 'v0.7.28',
      10_000,
    );
  });
});
