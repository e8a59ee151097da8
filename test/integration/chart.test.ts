// infra/chart against the real API server: both modes render and pass a server-side dry run, and the RBAC it ships is
// enough for each service to work and refuses what each does not need (services run with their ServiceAccount's token).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { KubeClient, kubeConfigFromString, ModuleSources, Modules } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { findHelm } from '../../services/applier/src/install/helm.ts';
import { run, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
/** docs/operations.md#rbac, as `kubectl auth can-i --list` prints it (the applier's install rights narrowed to ConfigMaps). */
const SYNCER_RIGHTS = [
  'leases.coordination.k8s.io [get create update]',
  'moduleconfigs.deckhouse.io [get list watch create patch]',
  'modulereleases.deckhouse.io [list patch delete]',
  'modules.deckhouse.io [get list watch]',
  'modulesources.deckhouse.io [get list watch patch]',
  'modulesources.deckhouse.io/status [patch]',
  'moduleupdatepolicies.deckhouse.io [get list watch]',
  'pods [patch]',
];
const APPLIER_RIGHTS = [
  'configmaps [*]',
  'moduleconfigs.deckhouse.io [get list watch]',
  'moduleconfigs.deckhouse.io/status [update patch]',
  'modulereleases.deckhouse.io [get list watch create update patch delete]',
  'modulereleases.deckhouse.io/status [update patch]',
  'modules.deckhouse.io [get list watch create update patch delete]',
  'modules.deckhouse.io/status [update patch]',
  'modulesources.deckhouse.io [get list watch]',
  'modulesources.deckhouse.io/finalizers [update]',
  'moduleupdatepolicies.deckhouse.io [get list watch]',
];
const suffix = Date.now().toString(36);
const release = `rbac-${suffix}`;
const namespace = `modsync-${suffix}`;
const services: RunningService[] = [];
let kube: KubeClient;

const kubectl = (args: string[], input?: string) =>
  run(env.kubectl!, args, { input, env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
const helmTemplate = (args: string[]) =>
  run(findHelm(), ['template', release, 'infra/chart', '--namespace', namespace, ...args]);

/** A kubeconfig for a ServiceAccount: the test cluster's server and CA, the account's token. */
async function kubeconfigFor(serviceAccount: string): Promise<string> {
  const admin = parse(await readFile(env.kubeconfig!, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  const token = (await kubectl(['create', 'token', serviceAccount, '-n', namespace, '--duration', '1h'])).trim();
  const file = join(env.dir, `kubeconfig-${serviceAccount}`);
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: admin.clusters[0]!.cluster }],
      users: [{ name: serviceAccount, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: serviceAccount } }],
      'current-context': 'test',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** `kubectl auth can-i` as the ServiceAccount; `resource/subresource` asks about the subresource. */
const can = async (serviceAccount: string, verb: string, resource: string) => {
  const [name, subresource] = resource.split('/');
  const args = [
    'auth',
    'can-i',
    verb,
    name!,
    ...(subresource ? [`--subresource=${subresource}`] : []),
    `--as=system:serviceaccount:${namespace}:${serviceAccount}`,
    '-n',
    namespace,
  ];
  return (await kubectl(args).catch((e: Error) => e.message)).trim().endsWith('yes');
};

/**
 * What the ServiceAccount may do in the namespace, from `kubectl auth can-i --list`: `resource [names] verbs` rows,
 * without the self-reviews every authenticated user may make.
 */
async function rightsOf(serviceAccount: string): Promise<string[]> {
  const out = await kubectl([
    'auth',
    'can-i',
    '--list',
    `--as=system:serviceaccount:${namespace}:${serviceAccount}`,
    '-n',
    namespace,
  ]);
  return out
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s{2,}/))
    .filter(
      ([resource]) =>
        resource &&
        !resource.startsWith('[') &&
        !/^selfsubject\w+\.authori[sz]ation\.k8s\.io$|^selfsubjectreviews\.authentication\.k8s\.io$/.test(resource),
    )
    .map(([resource, , names, verbs]) => [resource, names === '[]' ? '' : names, verbs].filter(Boolean).join(' '))
    .sort();
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await kubectl(['create', 'namespace', namespace]);
});
afterAll(async () => {
  for (const s of services) await s.stop();
  await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => {});
  await kube.close();
});

describe('infra/chart', () => {
  it.each([
    ['default mode', ['--set', 'redis.url=redis://redis:6379']],
    [
      'DKP-compatible mode with bundled Redis',
      ['--set', 'dkpCompatible=true', '--set', 'redis.bundled.enabled=true', '--set', 'serviceMonitor.enabled=false'],
    ],
    [
      'narrow install rights',
      [
        '--set',
        'redis.url=redis://redis:6379',
        '--set',
        'applier.installRights=rules',
        '--set-json',
        'applier.installRules=[{"apiGroups":[""],"resources":["configmaps"],"verbs":["*"]}]',
      ],
    ],
    [
      'the real node’s values: hostNetwork, a port per replica (0), 2 + 2 replicas',
      [
        '-f',
        'infra/chart/values-test-node.yaml',
        '--set',
        'apiServer.port=6443',
        '--set',
        'redis.url=redis://127.0.0.1:6379',
      ],
    ],
    [
      'Redis behind Sentinel',
      [
        '--set-json',
        'redis.sentinel.hosts=["s0:26379","s1:26379"]',
        '--set',
        'redis.sentinel.masterName=mymaster',
        '--set',
        'redis.password=pw',
        '--set',
        'redis.sentinel.sentinelPassword=spw',
      ],
    ],
    ['a Redis Cluster', ['--set-json', 'redis.cluster.nodes=["c0:6379","c1:6379"]', '--set', 'redis.password=pw']],
  ])('%s renders and passes kubectl apply --dry-run=server', async (_title, args) => {
    const manifest = await helmTemplate(args);
    const out = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', '-'], manifest);
    expect(out).toMatch(/deployment\.apps\/\S+-syncer created \(server dry run\)/);
    expect(out).toMatch(/deployment\.apps\/\S+-applier created \(server dry run\)/);
  });

  it('a port per replica (http.*Port 0): no containerPort, exec probes reading the port file, headless Services', async () => {
    const docs = parseAllDocuments(
      await helmTemplate([
        '--set',
        'redis.url=redis://redis:6379',
        '--set',
        'http.syncerPort=0',
        '--set',
        'http.applierPort=0',
        '--set',
        'dkpCompatible=true',
      ]),
    )
      .map((d) => d.toJS() as Record<string, any>)
      .filter(Boolean);
    for (const d of docs.filter((x) => x.kind === 'Deployment')) {
      const container = d.spec.template.spec.containers[0];
      expect(container.ports).toBeUndefined();
      expect(container.readinessProbe.exec.command).toEqual(['modsync-probe', '/readyz']);
      expect(container.livenessProbe.exec.command).toEqual(['modsync-probe', '/healthz']);
      expect(container.env).toEqual(
        expect.arrayContaining([
          { name: 'MODSYNC_HTTP_PORT', value: '0' },
          { name: 'MODSYNC_HTTP_PORT_FILE', value: '/tmp/http-port' },
        ]),
      );
    }
    const services = docs.filter((x) => x.kind === 'Service');
    expect(services.map((x) => x.metadata.name).sort()).toEqual([
      'deckhouse-applier',
      'deckhouse-leader',
      'deckhouse-syncer',
    ]);
    for (const svc of services) expect(svc.spec).toMatchObject({ clusterIP: 'None' });
    await expect(
      helmTemplate([
        '--set',
        'redis.url=redis://redis:6379',
        '--set',
        'http.syncerPort=0',
        '--set',
        'serviceMonitor.enabled=true',
      ]),
    ).rejects.toThrow(/serviceMonitor needs fixed HTTP ports/);
  });

  it('DKP mode: pods app=deckhouse, containers named deckhouse, a deckhouse-leader Service selecting the leader', async () => {
    const docs = parseAllDocuments(
      await helmTemplate(['--set', 'dkpCompatible=true', '--set', 'redis.url=redis://redis:6379']),
    )
      .map((d) => d.toJS() as Record<string, any>)
      .filter(Boolean);
    const deployments = docs.filter((d) => d.kind === 'Deployment');
    for (const d of deployments) {
      expect(d.spec.template.metadata.labels.app).toBe('deckhouse');
      expect(d.spec.template.spec.containers[0].name).toBe('deckhouse');
    }
    const leader = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'deckhouse-leader')!;
    expect(leader.spec.selector).toMatchObject({
      app: 'deckhouse',
      'app.kubernetes.io/component': 'syncer',
      'modsync.io/leader': 'true',
    });
  });

  it('Sentinel and Cluster settings reach both services; the passwords only through the Secret', async () => {
    const docs = (args: string[]) =>
      helmTemplate(args).then((m) =>
        parseAllDocuments(m)
          .map((d) => d.toJS() as Record<string, any>)
          .filter(Boolean),
      );
    const envOf = (all: Record<string, any>[]) =>
      all
        .filter((d) => d.kind === 'Deployment' && !d.metadata.name.endsWith('-redis'))
        .map((d) =>
          Object.fromEntries(
            (
              d.spec.template.spec.containers[0].env as {
                name: string;
                value?: string;
                valueFrom?: { secretKeyRef: { key: string } };
              }[]
            )
              .filter((e) => e.name.startsWith('MODSYNC_REDIS'))
              .map((e) => [e.name, e.value ?? `secret:${e.valueFrom!.secretKeyRef.key}`]),
          ),
        );
    const sentinel = await docs([
      '--set-json',
      'redis.sentinel.hosts=["s0:26379","s1:26379"]',
      '--set',
      'redis.sentinel.masterName=mymaster',
      '--set',
      'redis.password=pw',
      '--set',
      'redis.sentinel.sentinelPassword=spw',
    ]);
    const sentinelEnv = {
      MODSYNC_REDIS_SENTINELS: 's0:26379,s1:26379',
      MODSYNC_REDIS_MASTER_NAME: 'mymaster',
      MODSYNC_REDIS_SENTINEL_PASSWORD: 'secret:sentinel-password',
      MODSYNC_REDIS_PASSWORD: 'secret:password',
    };
    expect(envOf(sentinel)).toEqual([sentinelEnv, sentinelEnv]);
    expect(sentinel.find((d) => d.kind === 'Secret' && d.metadata.name === `${release}-redis`)?.stringData).toEqual({
      password: 'pw',
      'sentinel-password': 'spw',
    });
    const cluster = await docs([
      '--set-json',
      'redis.cluster.nodes=["c0:6379","c1:6379"]',
      '--set',
      'redis.username=modsync',
    ]);
    const clusterEnv = {
      MODSYNC_REDIS_CLUSTER: 'c0:6379,c1:6379',
      MODSYNC_REDIS_USERNAME: 'modsync',
      MODSYNC_REDIS_PASSWORD: 'secret:password',
    };
    expect(envOf(cluster)).toEqual([clusterEnv, clusterEnv]);
    await expect(helmTemplate(['--set-json', 'redis.sentinel.hosts=["s"]'])).rejects.toThrow(
      /redis.sentinel.hosts needs redis.sentinel.masterName/,
    );
    await expect(
      helmTemplate([
        '--set-json',
        'redis.sentinel.hosts=["s"]',
        '--set',
        'redis.sentinel.masterName=m',
        '--set-json',
        'redis.cluster.nodes=["c"]',
      ]),
    ).rejects.toThrow(/set redis.sentinel.hosts or redis.cluster.nodes, not both/);
  });

  it('the services run as non-root with a read-only root filesystem, in the chart and in the image', async () => {
    const deployments = parseAllDocuments(await helmTemplate(['--set', 'redis.url=redis://redis:6379']))
      .map((d) => d.toJS() as Record<string, any>)
      .filter((d) => d?.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([`${release}-applier`, `${release}-syncer`]);
    for (const d of deployments) {
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const c of d.spec.template.spec.containers)
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
    }
    const dockerfile = await readFile('infra/image/Dockerfile', 'utf8');
    expect(dockerfile.match(/^USER (.+)$/gm)?.at(-1)).toBe('USER 1000:1000');
  });

  it('RBAC least privilege: each service works with only its own rights', async () => {
    // Install rights narrowed to ConfigMaps, so the applier's own role is what is tested (the default binds cluster-admin).
    const rbac = parseAllDocuments(
      await helmTemplate([
        '--set',
        'redis.url=redis://redis:6379',
        '--set',
        'applier.installRights=rules',
        '--set-json',
        'applier.installRules=[{"apiGroups":[""],"resources":["configmaps"],"verbs":["*"]}]',
      ]),
    )
      .map((d) => d.toJS() as Record<string, any>)
      .filter(
        (d) => d && ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(d.kind),
      );
    await kubectl(['apply', '-n', namespace, '-f', '-'], rbac.map((d) => stringify(d)).join('---\n'));
    const syncerSa = `${release}-syncer`;
    const applierSa = `${release}-applier`;

    expect(await can(syncerSa, 'patch', 'modulesources.deckhouse.io/status')).toBe(true);
    expect(await can(syncerSa, 'create', 'leases.coordination.k8s.io')).toBe(true);
    expect(await can(syncerSa, 'create', 'modulereleases.deckhouse.io')).toBe(false);
    expect(await can(syncerSa, 'delete', 'modulesources.deckhouse.io')).toBe(false);
    expect(await can(syncerSa, 'patch', 'modulesources.deckhouse.io')).toBe(true);
    expect(await can(syncerSa, 'delete', 'modulereleases.deckhouse.io')).toBe(true);
    expect(await can(syncerSa, 'get', 'secrets')).toBe(false);
    expect(await can(applierSa, 'create', 'modulereleases.deckhouse.io')).toBe(true);
    expect(await can(applierSa, 'patch', 'modules.deckhouse.io/status')).toBe(true);
    expect(await can(applierSa, 'patch', 'modulesources.deckhouse.io/status')).toBe(false);
    expect(await can(applierSa, 'delete', 'modulesources.deckhouse.io')).toBe(false);
    expect(await can(applierSa, 'create', 'configmaps')).toBe(true);
    expect(await can(applierSa, 'create', 'secrets')).toBe(false);
    // The whole list, compared with docs/operations.md#rbac: nothing more than documented.
    expect(await rightsOf(syncerSa)).toEqual(SYNCER_RIGHTS);
    expect(await rightsOf(applierSa)).toEqual(APPLIER_RIGHTS);

    // The services themselves, with those tokens only.
    const path = `rbac-${suffix}/modules`;
    const registry = createRegistryClient();
    await new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    ).publish({ module: `rbac-mod-${suffix}`, version: 'v1.0.0', channels: ['stable'] });
    await registry.close();
    const common = {
      MODSYNC_REDIS_URL: env.redis!.url,
      MODSYNC_REDIS_PREFIX: `rbac-${suffix}`,
      MODSYNC_SOURCE_SELECTOR: `rbac=${suffix}`,
      MODSYNC_NAMESPACE: namespace,
      MODSYNC_INSTALLER: 'none',
    };
    services.push(
      await startService('syncer', {
        logDir: env.logDir,
        instance: `rbac-${suffix}`,
        env: { ...common, KUBECONFIG: await kubeconfigFor(syncerSa) },
      }),
    );
    services.push(
      await startService('applier', {
        logDir: env.logDir,
        instance: `rbac-${suffix}`,
        env: { ...common, KUBECONFIG: await kubeconfigFor(applierSa) },
      }),
    );
    const name = `rbac-src-${suffix}`;
    await kube.apply(ModuleSources, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name, labels: { rbac: suffix } },
      spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
    });
    await waitFor(
      'source synced by the syncer’s token',
      async () => (await kube.get(ModuleSources, name))?.status?.message === 'Ready',
      30_000,
      200,
    );
    await waitFor(
      'module created by the applier’s token',
      async () => (await kube.get(Modules, `rbac-mod-${suffix}`))?.status?.phase === 'Available',
      30_000,
      200,
    );
    for (const s of services) expect(await readFile(s.logFile, 'utf8')).not.toMatch(/forbidden/i);
  });
});
