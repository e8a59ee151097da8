// modsync's image (infra/image/Dockerfile, built here on the local Node base) runs the syncer and the applier end to end
// against the test environment, as containers started by testcontainers on the host network; helm and the DKP-compatible
// `deckhouse-controller` entry point come with it.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { KubeClient, kubeConfigFromString, ModuleConfigs, Modules, ModuleSources } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { CONTAINER_LABELS } from '../env/containers.ts';
import { buildModsyncImage } from '../env/modsync-image.ts';
import { freePort, run, useEnvironment, waitFor } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const containers: StartedTestContainer[] = [];
let image: { tag: string; sizeBytes: number };
let kube: KubeClient;

async function start(service: 'syncer' | 'applier', port?: number): Promise<StartedTestContainer> {
  port ??= await freePort();
  const container = await new GenericContainer(image.tag)
    .withNetworkMode('host')
    .withLabels(CONTAINER_LABELS)
    // What the chart runs: the bundle (infra/image/Dockerfile builds it), with the image's NODE_OPTIONS.
    .withCommand([`services/${service}/dist/main.js`])
    .withCopyContentToContainer([
      { content: await readFile(env.kubeconfig!, 'utf8'), target: '/home/node/kubeconfig', mode: 0o644 },
    ])
    .withEnvironment({
      KUBECONFIG: '/home/node/kubeconfig',
      MODSYNC_REDIS_URL: env.redis!.url,
      MODSYNC_REDIS_PREFIX: `img-${suffix}`,
      MODSYNC_SOURCE_SELECTOR: `image=${suffix}`,
      MODSYNC_HTTP_PORT: String(port),
      MODSYNC_IDENTITY: `${service}-image-${suffix}`,
    })
    .withWaitStrategy(Wait.forLogMessage(/"msg":"listening"/))
    .withStartupTimeout(60_000)
    .start();
  containers.push(container);
  return container;
}

beforeAll(async () => {
  image = await buildModsyncImage({ tag: `modsync:test-${suffix}` });
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
});
afterAll(async () => {
  for (const c of containers) await c.stop({ timeout: 5_000 }).catch(() => {});
  await run('docker', ['image', 'rm', '-f', image.tag]).catch(() => {});
  await kube.close();
});

describe('the modsync image', () => {
  it('runs as a non-root user, with Node 24, helm and the CLIs', async () => {
    process.stdout.write(`modsync image size: ${(image.sizeBytes / 1e6).toFixed(0)} MB\n`);
    const out = await run('docker', [
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      'sh',
      image.tag,
      '-c',
      'id -u; node --version; helm version --short; modsync --help | head -1; deckhouse-controller version; echo $?',
    ]);
    const [uid, node, helm, usage, ...rest] = out.trim().split('\n');
    expect(uid).toBe('1000');
    expect(node).toMatch(/^v24\./);
    expect(helm).toMatch(/^v4\./);
    expect(usage).toMatch(/^Usage: modsync <command>/);
    expect(rest.at(-1)).toBe('2');
  });

  it('runs the syncer and the applier: a source syncs and an enabled module is installed by the image’s helm', async () => {
    const path = `img-${suffix}/modules`;
    const module = `img-mod-${suffix}`;
    const registry = createRegistryClient();
    await new ModulePublisher(
      registry,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    ).publish({ module, version: 'v1.0.0', channels: ['stable'] });
    await registry.close();
    const syncerPort = await freePort();
    const syncer = await start('syncer', syncerPort);
    await start('applier');
    const source = `img-src-${suffix}`;
    await kube.apply(ModuleSources, {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name: source, labels: { image: suffix } },
      spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
    });
    await waitFor(
      'synced',
      async () => (await kube.get(ModuleSources, source))?.status?.message === 'Ready',
      30_000,
      200,
    );
    await waitFor(
      'module Available',
      async () => (await kube.get(Modules, module))?.status?.phase === 'Available',
      30_000,
      200,
    );

    // The dashboard, a chunk of the bundle loaded on its first request, with its UI files from @bull-board/ui (open
    // without credentials: the server listens on loopback only).
    const dashboard = `http://127.0.0.1:${syncerPort}/dashboard`;
    const page = await fetch(dashboard);
    expect(page.status).toBe(200);
    const script = /src="([^"]*static\/[^"]*\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, `${dashboard}/`))).status).toBe(200);
    const queues = (await (await fetch(`${dashboard}/api/queues`)).json()) as { queues: { name: string }[] };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['resync', 'sync']);

    // The guide's `deckhouse-controller module enable <name>`, run inside the (syncer's) container.
    const exec = await syncer.exec(['deckhouse-controller', 'module', 'enable', module]);
    expect(exec.exitCode).toBe(0);
    expect(exec.output).toContain(`Module ${module} enabled`);
    expect((await kube.get(ModuleConfigs, module))?.spec?.enabled).toBe(true);

    await waitFor(
      'module Ready',
      async () => (await kube.get(Modules, module))?.status?.phase === 'Ready',
      60_000,
      250,
    );
    const cm = JSON.parse(
      await run(env.kubectl!, ['get', 'configmap', module, '-n', `d8-${module}`, '-o', 'json'], {
        env: { ...process.env, KUBECONFIG: env.kubeconfig! },
      }),
    ) as { data: Record<string, string> };
    expect(cm.data.version).toBe('v1.0.0');
    await kube.delete(ModuleConfigs, module);
  });
});
