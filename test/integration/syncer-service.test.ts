import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleSources,
  ModuleUpdatePolicies,
  type ModuleSource,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { RESYNC_ANNOTATION } from '@modsync/syncer';
import { run, serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `svc-${suffix}/modules`;
const token = `token-${suffix}-0123456789abcdef`;
const registry = createRegistryClient();
const publisher = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
  path,
);
let kube: KubeClient;
const replicas: RunningService[] = [];

const suiteEnv = () =>
  serviceEnv(
    { env, prefix: `it-${suffix}`, selector: `suite=${suffix}` },
    { MODSYNC_API_TOKEN: token, MODSYNC_DASHBOARD_USER: 'admin', MODSYNC_DASHBOARD_PASSWORD: `pw-${suffix}` },
  );

function source(name: string): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { suite: suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  };
}

async function statusOf(name: string) {
  return (await kube.get(ModuleSources, name))?.status;
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher.publish({ module: 'module-one', version: 'v0.7.24', channels: ['stable'] });
  await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
  replicas.push(await startService('syncer', { logDir: env.logDir, instance: `a-${suffix}`, env: suiteEnv() }));
  // The source the resync tests share; each test also passes alone, in any order (scripts/test.sh shuffles).
  await kube.apply(ModuleSources, source(`first-${suffix}`));
  await waitFor(
    'the shared source synced',
    async () => (await statusOf(`first-${suffix}`))?.message === 'Ready',
    20_000,
    50,
  );
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await registry.close();
  await kube.close();
});

describe('syncer service (real processes)', () => {
  it('syncs a new ModuleSource at once: kubectl get ms shows it Ready', async () => {
    const name = `new-${suffix}`;
    await kube.apply(ModuleSources, source(name));
    await waitFor(`${name} synced`, async () => (await statusOf(name))?.message === 'Ready', 20_000, 50);
    expect(await statusOf(name)).toMatchObject({ modulesCount: 2, phase: 'Active' });
    const table = await run(env.kubectl!, ['get', 'ms', name], {
      env: { ...process.env, KUBECONFIG: env.kubeconfig! },
    });
    expect(table.split('\n')[1]).toMatch(new RegExp(`^${name}\\s+2\\s+\\d+s\\s+Ready\\s*$`));
  });

  it('resyncs on request over HTTP (token required) and collapses repeated requests', async () => {
    const name = `first-${suffix}`;
    const url = `${replicas[0]!.url}/sources/${name}/resync`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(401);
    expect(
      (await fetch(url, { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${replicas[0]!.url}/sources/nope-${suffix}/resync`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(404);

    await publisher.publish({ module: 'module-one', version: 'v0.7.25', channels: ['stable'] });
    const responses = await Promise.all(
      [1, 2, 3].map(() => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } })),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ collapsed: boolean }>));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(bodies.filter((b) => !b.collapsed).length).toBeGreaterThanOrEqual(1);
    await waitFor(
      'new version in status',
      async () => (await statusOf(name))?.modules?.[0]?.version === 'v0.7.25',
      10_000,
      50,
    );
  });

  it('resyncs from the CLI: modsync resync <source>', async () => {
    const name = `first-${suffix}`;
    const cli = (args: string[]) =>
      run('node_modules/.bin/node', ['cli/src/main.ts', 'resync', name, '--url', replicas[0]!.url, ...args]);
    expect(await cli(['--token', token])).toMatch(
      new RegExp(`^resync of ${name} (already )?queued \\(job resync-${name}\\)`),
    );
    await expect(cli(['--token', 'not-the-token-0123456789'])).rejects.toThrow(/refused the credentials/);
  });

  it('resyncs when the resync annotation changes', async () => {
    const name = `first-${suffix}`;
    await publisher.publish({ module: 'module-two', version: 'v1.2.4', channels: ['stable'] });
    await kube.mergePatch(ModuleSources, name, {
      metadata: { annotations: { [RESYNC_ANNOTATION]: new Date().toISOString() } },
    });
    await waitFor(
      'annotation resync',
      async () => (await statusOf(name))?.modules?.[1]?.version === 'v1.2.4',
      10_000,
      50,
    );
  });

  it('resyncs at once when a module’s update policy moves it to another channel', async () => {
    const name = `first-${suffix}`;
    const policy = `alpha-${suffix}`;
    await publisher.publish({ module: 'module-one', version: 'v0.8.0', channels: ['alpha'] });
    await kube.apply(ModuleUpdatePolicies, {
      apiVersion: 'deckhouse.io/v1alpha2',
      kind: 'ModuleUpdatePolicy',
      metadata: { name: policy },
      spec: { releaseChannel: 'Alpha', update: { mode: 'Auto' } },
    });
    await kube.apply(ModuleConfigs, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleConfig',
      metadata: { name: 'module-one' },
      spec: { enabled: false },
    });
    await kube.mergePatch(ModuleConfigs, 'module-one', { spec: { updatePolicy: policy } });
    await waitFor(
      'alpha version in status',
      async () => {
        const one = (await statusOf(name))?.modules?.find((m) => m.name === 'module-one');
        return one?.version === 'v0.8.0' && one.policy === policy;
      },
      10_000,
      50,
    );
    await kube.delete(ModuleConfigs, 'module-one');
    await kube.delete(ModuleUpdatePolicies, policy);
  });

  it('serves the queue dashboard only with credentials', async () => {
    const dashboard = `${replicas[0]!.url}/dashboard`;
    expect((await fetch(dashboard)).status).toBe(401);
    const basic = `Basic ${Buffer.from(`admin:pw-${suffix}`).toString('base64')}`;
    const page = await fetch(dashboard, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/bull/i);
    const metrics = await (await fetch(`${replicas[0]!.url}/metrics`)).text();
    expect(metrics).toMatch(/modsync_syncs_total\{[^}]*outcome="Synced"/);
    expect(metrics).toMatch(/modsync_registry_requests_total/);
  });

  it('two replicas share 50 sources; killing one mid-sync loses nothing', async () => {
    const second = await startService('syncer', { logDir: env.logDir, instance: `b-${suffix}`, env: suiteEnv() });
    replicas.push(second);
    const names = Array.from({ length: 50 }, (_, i) => `many-${i}-${suffix}`);
    await Promise.all(names.map((n) => kube.apply(ModuleSources, source(n))));
    // Kill the second replica once it has taken work (a crashed pod): its jobs and source locks expire and the first
    // replica, which the other tests keep using, takes them over.
    await waitFor(
      'the second replica syncing',
      async () => /"msg":"source synced"/.test(await readFile(second.logFile, 'utf8')),
      20_000,
      20,
    );
    await second.kill();
    await waitFor(
      'all 50 synced',
      async () => (await Promise.all(names.map(statusOf))).every((s) => s?.message === 'Ready' && s.modulesCount === 2),
      60_000,
      250,
    );
    const logA = await readFile(replicas[0]!.logFile, 'utf8');
    expect(logA).toMatch(/"msg":"source synced"/);
  });
});
