// DKP's meaning of Ready on a real node: a module whose chart runs a workload is Ready only once the workload is available
// (the installer waits for it), and a module whose pod crashes ends in Error with helm's message. Project `node`.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, loadKubeConfig, ModuleConfigs, Modules, ModuleSources, type Module } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { removeOrphanContainers } from '../env/containers.ts';
import { installCrds } from '../env/crds.ts';
import { ensureDockerEngine, type DockerEngine } from '../env/docker-engine.ts';
import { ensureLocalImage } from '../env/images.ts';
import { freePort, waitFor } from '../env/net.ts';
import { startNodeCluster, type NodeCluster } from '../env/node.ts';
import { run } from '../env/process.ts';
import { startRedis, type TestRedis } from '../env/redis.ts';
import { startRegistry, type TestRegistry } from '../env/registry.ts';
import { startService, type RunningService } from '../env/services.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const log = (line: string) => process.stderr.write(`[module-workload] ${line}\n`);
let dir = '';
let docker: DockerEngine | undefined;
let cluster: NodeCluster | undefined;
let redis: TestRedis | undefined;
let registry: TestRegistry | undefined;
let kube: KubeClient | undefined;
let publisher: ModulePublisher;
let helloImage = '';
const services: RunningService[] = [];

/** A chart whose Deployment runs the hello image on the host network, probed on `port`; `crash` makes it exit at once. */
function deployment(module: string, port: number, crash: boolean): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${module}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${module}}}
  template:
    metadata: {labels: {app: ${module}}}
    spec:
      hostNetwork: true
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${helloImage}
          imagePullPolicy: Never
          env: [{name: PORT, value: "${port}"}]
${crash ? '          command: ["/bin/sh", "-c", "echo crashing; exit 1"]\n' : ''}          readinessProbe:
            httpGet: {path: /, port: ${port}, host: 127.0.0.1}
            periodSeconds: 1
`;
}

const phaseOf = async (name: string): Promise<Module['status']> => (await kube!.get(Modules, name))?.status;

describe.runIf(process.getuid?.() === 0)('module workloads on a real node', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modsync-workload-'));
    const logDir = join(dir, 'logs');
    await mkdir(logDir, { recursive: true });
    docker = await ensureDockerEngine(logDir, log);
    await removeOrphanContainers();
    let helloTag = '';
    await Promise.all([
      (async () => (cluster = await startNodeCluster({ dir: join(dir, 'cluster'), log })))(),
      (async () => (redis = await startRedis({ logDir, log })))(),
      (async () => (registry = await startRegistry({ logDir, dir, log })))(),
      (async () => (helloTag = await ensureLocalImage('hello', undefined, log)))(),
    ]);
    helloImage = await cluster!.node.importImage(helloTag);
    await installCrds(cluster!.controlPlane.kubectl, cluster!.controlPlane.kubeconfig);
    kube = await KubeClient.create(loadKubeConfig(cluster!.controlPlane.kubeconfig));
    const path = 'workload/modules';
    publisher = new ModulePublisher(createRegistryClient(), parseRegistrySettings({ repo: `${registry!.host}/${path}`, scheme: 'HTTP' }), path);
    await publisher.publish({ module: 'web', version: 'v1.0.0', channels: ['stable'], bundleFiles: { 'templates/deployment.yaml': deployment('web', await freePort(), false) } });
    await publisher.publish({ module: 'crashy', version: 'v1.0.0', channels: ['stable'], bundleFiles: { 'templates/deployment.yaml': deployment('crashy', await freePort(), true) } });
    const env = {
      MODSYNC_REDIS_URL: redis!.url,
      KUBECONFIG: cluster!.controlPlane.kubeconfig,
      MODSYNC_MODULE_STORE: join(dir, 'modules'),
      MODSYNC_INSTALL_TIMEOUT: '20s',
      MODSYNC_RESYNC_INTERVAL: '5s',
    };
    services.push(await startService('syncer', { logDir, instance: 'workload', env }));
    services.push(await startService('applier', { logDir, instance: 'workload', env }));
    await kube.apply(ModuleSources, { apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleSource', metadata: { name: 'example' }, spec: { registry: { repo: `${registry!.host}/${path}`, scheme: 'HTTP' } } });
  }, 600_000);

  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => {});
    await kube?.close();
    await cluster?.stop().catch(() => {});
    await redis?.stop().catch(() => {});
    await registry?.stop().catch(() => {});
    await docker?.stop().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('a module is Ready only once its Deployment is available', async () => {
    await kube!.apply(ModuleConfigs, { apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'web' }, spec: { enabled: true } });
    await waitFor('web Ready', async () => (await phaseOf('web'))?.phase === 'Ready', 90_000, 200);
    const deploy = JSON.parse(await run(cluster!.controlPlane.kubectl, ['get', 'deployment', 'web', '-n', 'd8-web', '-o', 'json'], { env: { ...process.env, KUBECONFIG: cluster!.controlPlane.kubeconfig } })) as { status: { availableReplicas?: number } };
    expect(deploy.status.availableReplicas).toBe(1);
    expect((await phaseOf('web'))?.ready).toBe('True');
  });

  it('a module whose pod crashes ends in Error, with helm’s message saying what was not ready', async () => {
    await kube!.apply(ModuleConfigs, { apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleConfig', metadata: { name: 'crashy' }, spec: { enabled: true } });
    await waitFor('crashy Installing', async () => (await phaseOf('crashy'))?.phase === 'Installing', 60_000, 200);
    await waitFor('crashy Error', async () => (await phaseOf('crashy'))?.phase === 'Error', 90_000, 500).catch(async (err: unknown) => {
      // What the module and the applier said, for the failure report.
      log(JSON.stringify(await phaseOf('crashy')));
      log((await readFile(services[1]!.logFile, 'utf8')).split('\n').filter((l) => l.includes('crashy')).slice(-8).join('\n'));
      throw err;
    });
    const status = (await phaseOf('crashy'))!;
    expect(status.ready).toBe('Error');
    const message = status.conditions?.find((c) => c.type === 'IsReady')?.message ?? '';
    log(`crashy: ${message}`);
    expect(message).toMatch(/^helm upgrade --install crashy: /);
    expect(message).toMatch(/crashy/i);
  });
});
