// Credentials as users have them, against the real API server: a kubeconfig whose user runs an exec plugin (a script
// printing an ExecCredential with a ServiceAccount token made through the TokenRequest API), merged with another file
// in KUBECONFIG and picked with --context, used by the CLI and by the syncer service.
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, kubeConfigFromString, ModuleConfigs, ModuleSources, type ModuleSource } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { run, serviceEnv, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const namespace = `cred-${suffix}`;
const account = 'modsync-exec';
const identity = `system:serviceaccount:${namespace}:${account}`;
const dir = join(env.dir, `credentials-${suffix}`);
const pluginLog = join(dir, 'plugin-runs');
const execKubeconfig = join(dir, 'exec.kubeconfig');
const adminKubeconfig = join(dir, 'admin.kubeconfig');
let kube: KubeClient;
let syncer: RunningService | undefined;

/** The chart's syncer rules (infra/chart/templates/rbac.yaml), for the ServiceAccount the plugin hands out tokens of. */
const clusterRules = [
  {
    apiGroups: ['deckhouse.io'],
    resources: ['modulesources', 'modules', 'moduleupdatepolicies'],
    verbs: ['get', 'list', 'watch'],
  },
  { apiGroups: ['deckhouse.io'], resources: ['modulesources/status'], verbs: ['patch'] },
  { apiGroups: ['deckhouse.io'], resources: ['moduleconfigs'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
];
const namespaceRules = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
];

beforeAll(async () => {
  await mkdir(dir, { recursive: true });
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  // Set up with client-node's generated API classes, as a user's tooling would.
  const admin = new KubeConfig();
  admin.loadFromFile(env.kubeconfig!);
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: account } } });
  const subjects = [{ kind: 'ServiceAccount', name: account, namespace }];
  await rbac.createClusterRole({ body: { metadata: { name: namespace }, rules: clusterRules } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: namespace },
      subjects,
    },
  });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: account }, rules: namespaceRules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: account },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects,
    },
  });
  const request = await core.createNamespacedServiceAccountToken({
    name: account,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status!.token;
  const expiry = new Date(request.status!.expirationTimestamp!).toISOString();

  // The plugin: notes each run, prints the credential (client.authentication.k8s.io/v1).
  const plugin = join(dir, 'token-plugin.sh');
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: expiry },
  });
  await writeFile(plugin, `#!/bin/sh\necho run >> '${pluginLog}'\ncat <<'CREDENTIAL'\n${credential}\nCREDENTIAL\n`, {
    mode: 0o755,
  });
  await writeFile(pluginLog, '');

  const cluster = admin.getCurrentCluster()!;
  const ca = cluster.caData
    ? { 'certificate-authority-data': cluster.caData }
    : { 'certificate-authority': cluster.caFile };
  await writeFile(
    execKubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'exec-cluster', cluster: { server: cluster.server, ...ca } }],
      users: [
        {
          name: 'exec-user',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
        },
      ],
      contexts: [{ name: 'exec', context: { cluster: 'exec-cluster', user: 'exec-user' } }],
      'current-context': 'exec',
    }),
  );
  await writeFile(adminKubeconfig, await readFile(env.kubeconfig!));
});

afterAll(async () => {
  await syncer?.stop();
  const admin = new KubeConfig();
  admin.loadFromFile(env.kubeconfig!);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.deleteClusterRoleBinding({ name: namespace }).catch(() => {});
  await rbac.deleteClusterRole({ name: namespace }).catch(() => {});
  await admin
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name: namespace })
    .catch(() => {});
  await kube.close();
});

async function pluginRuns(): Promise<number> {
  return (await readFile(pluginLog, 'utf8')).split('\n').filter(Boolean).length;
}

function modsync(args: string[]): Promise<string> {
  return run('node_modules/.bin/node', ['cli/src/main.ts', ...args], {
    env: { ...process.env, KUBECONFIG: `${adminKubeconfig}:${execKubeconfig}` },
  });
}

describe('an exec-plugin kubeconfig merged with another file, picked with --context', () => {
  it('the CLI authenticates as the ServiceAccount through the plugin', async () => {
    const name = `cred-${suffix}`;
    expect(await modsync(['module', 'enable', name, '--context', 'exec'])).toBe(`Module ${name} enabled\n`);
    expect((await kube.get(ModuleConfigs, name))!.spec).toEqual({ enabled: true });
    expect(await pluginRuns()).toBeGreaterThanOrEqual(1);
    // What the ServiceAccount may not do is refused with the API server's message naming it: the plugin's token was used.
    await expect(modsync(['release', 'approve', `${name}-v1.0.0`, '--context', 'exec'])).rejects.toThrow(identity);
  });

  it('without --context the first file’s current context (the admin) is used, and the plugin does not run', async () => {
    const before = await pluginRuns();
    const name = `admin-${suffix}`;
    expect(await modsync(['module', 'enable', name])).toBe(`Module ${name} enabled\n`);
    expect(await pluginRuns()).toBe(before);
    await expect(modsync(['module', 'enable', name, '--context', 'nope'])).rejects.toThrow(/context "nope" not found/);
  });

  it('the syncer service runs with it: writes a ModuleSource’s status as the ServiceAccount', async () => {
    const path = `cred-${suffix}/modules`;
    const publisher = new ModulePublisher(
      createRegistryClient(),
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    await publisher.publish({ module: 'module-one', version: 'v0.1.0', channels: ['stable'] });
    const before = await pluginRuns();
    syncer = await startService('syncer', {
      logDir: env.logDir,
      instance: `cred-${suffix}`,
      env: serviceEnv(
        { env, prefix: `cred-${suffix}`, selector: `suite=${suffix}` },
        {
          KUBECONFIG: execKubeconfig,
          MODSYNC_NAMESPACE: namespace,
          MODSYNC_API_TOKEN: `token-${suffix}-0123456789abcdef`,
        },
      ),
    });
    const name = `cred-${suffix}`;
    const source: ModuleSource = {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name, labels: { suite: suffix } },
      spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
    };
    await kube.apply(ModuleSources, source);
    await waitFor(
      `${name} synced`,
      async () => (await kube.get(ModuleSources, name))?.status?.message === 'Ready',
      30_000,
      100,
    );
    const written = await kube.get(ModuleSources, name);
    expect(written!.status).toMatchObject({ modulesCount: 1, phase: 'Active' });
    expect(await pluginRuns()).toBeGreaterThan(before);
    await kube.delete(ModuleSources, name);
  });
});
