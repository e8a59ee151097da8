import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, kubeConfigFromString, ModuleSources, type ModuleSource } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { freePort, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { startRegistry, type TestRegistry } from '../env/registry.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

// The real registry sends its push notifications to the syncer on loopback; the poll interval is an hour, so a new
// version in the status within seconds can only come from a notification.
const env = useEnvironment();
const suffix = Date.now().toString(36);
const path = `notify-${suffix}/modules`;
const token = `notify-token-${suffix}-0123456789`;
const hmacKey = `notify-hmac-${suffix}-0123456789`;
const client = createRegistryClient();
let registry: TestRegistry;
let publisher: ModulePublisher;
let kube: KubeClient;
let syncer: RunningService;

function source(name: string): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { suite: suffix } },
    spec: { registry: { repo: `${registry.host}/${path}`, scheme: 'HTTP' } },
  };
}

async function versionOf(sourceName: string, module: string): Promise<string | undefined> {
  return (await kube.get(ModuleSources, sourceName))?.status?.modules?.find((m) => m.name === module)?.version;
}

/** The value of one sample of the syncer's /metrics (labels as written there, beside `service`), 0 when absent. */
async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${syncer.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels},`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeAll(async () => {
  const port = await freePort();
  registry = await startRegistry({
    logDir: env.logDir,
    dir: env.dir,
    name: `notify-registry`,
    notifications: { url: `http://127.0.0.1:${port}/notifications/registry`, token },
  });
  publisher = new ModulePublisher(
    client,
    parseRegistrySettings({ repo: `${registry.host}/${path}`, scheme: 'HTTP' }),
    path,
  );
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher.publish({ module: 'module-one', version: 'v0.1.0', channels: ['stable'] });
  await publisher.publish({ module: 'module-two', version: 'v1.0.0', channels: ['stable'] });
  syncer = await startService('syncer', {
    logDir: env.logDir,
    instance: `notify-${suffix}`,
    env: {
      MODSYNC_HTTP_PORT: String(port),
      MODSYNC_REDIS_URL: env.redis!.url,
      KUBECONFIG: env.kubeconfig!,
      MODSYNC_REDIS_PREFIX: `it-notify-${suffix}`,
      MODSYNC_NAMESPACE: 'default',
      MODSYNC_SOURCE_SELECTOR: `suite=${suffix}`,
      MODSYNC_SYNC_INTERVAL: '1h',
      MODSYNC_JOB_LOCK: '3s',
      MODSYNC_NOTIFICATION_TOKEN: token,
      MODSYNC_NOTIFICATION_HMAC_KEY: hmacKey,
    },
  });
  await kube.apply(ModuleSources, source(`notify-${suffix}`));
  await waitFor('first sync', async () => (await versionOf(`notify-${suffix}`, 'module-one')) === 'v0.1.0', 30_000, 50);
});
afterAll(async () => {
  await kube?.delete(ModuleSources, `notify-${suffix}`);
  await syncer?.stop();
  await registry?.stop();
  await client.close();
  await kube?.close();
});

describe('registry notifications (real registry → syncer)', () => {
  it('a pushed channel tag reaches the source status in seconds, by a sync of that module alone', async () => {
    const before = await metric('modsync_notification_syncs_total', 'format="registry",collapsed="false"');
    await publisher.publish({ module: 'module-one', version: 'v0.2.0', channels: ['stable'] });
    await waitFor(
      'v0.2.0 in the status',
      async () => (await versionOf(`notify-${suffix}`, 'module-one')) === 'v0.2.0',
      15_000,
      50,
    );
    expect(await versionOf(`notify-${suffix}`, 'module-two')).toBe('v1.0.0');
    expect(await metric('modsync_notification_syncs_total', 'format="registry",collapsed="false"')).toBeGreaterThan(
      before,
    );
    const log = await readFile(syncer.logFile, 'utf8');
    expect(log).toMatch(/"module":"module-one".*"msg":"source synced"/);
    expect(log).not.toContain(token);
  });

  it('counts pushes to repositories of no ModuleSource and ignores them', async () => {
    const other = new ModulePublisher(
      client,
      parseRegistrySettings({ repo: `${registry.host}/elsewhere-${suffix}`, scheme: 'HTTP' }),
      `elsewhere-${suffix}`,
    );
    await other.publish({ module: 'stranger', version: 'v1.0.0', channels: ['stable'] });
    await waitFor(
      'unknown repositories counted',
      async () =>
        (await metric('modsync_notification_pushes_total', 'format="registry",outcome="unknown_repository"')) >= 1,
      15_000,
      50,
    );
  });

  it('refuses a wrong token (401) and a malformed body (400) with a clear message', async () => {
    const url = `${syncer.url}/notifications/registry`;
    const denied = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-token-0123456789' },
      body: '{"events":[]}',
    });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: 'invalid or missing Authorization token' });
    const malformed = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"events":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(
      /^malformed registry notification: body is not JSON: /,
    );
    const wrongShape = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{"event":[]}',
    });
    expect(await wrongShape.json()).toEqual({
      error: 'malformed registry notification: expected a registry notification envelope: {"events": [...]}',
    });
  });

  it('takes Harbor (CloudEvents) and signed generic notifications', async () => {
    await publisher.publish({ module: 'module-two', version: 'v1.1.0', channels: ['stable'] });
    // Distribution's own notification may arrive first: either way the module is synced once more and shows v1.1.0.
    const harbor = {
      specversion: '1.0',
      id: `id-${suffix}`,
      source: '/projects/1/webhook/policies/1',
      type: 'harbor.artifact.pushed',
      datacontenttype: 'application/json',
      time: new Date().toISOString(),
      data: {
        resources: [
          { digest: 'sha256:00', tag: 'stable', resource_url: `${registry.host}/${path}/module-two/release:stable` },
        ],
        repository: { repo_full_name: `${path}/module-two/release` },
      },
    };
    const accepted = await fetch(`${syncer.url}/notifications/harbor`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(harbor),
    });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({
      pushes: 1,
      ignored: 0,
      unknown: 0,
      syncs: [{ source: `notify-${suffix}`, module: 'module-two' }],
    });
    await waitFor(
      'v1.1.0 in the status',
      async () => (await versionOf(`notify-${suffix}`, 'module-two')) === 'v1.1.0',
      15_000,
      50,
    );

    const body = JSON.stringify({ repository: `${path}/module-one/release`, tag: 'alpha' });
    const signature = `sha256=${createHmac('sha256', hmacKey).update(body).digest('hex')}`;
    const generic = await fetch(`${syncer.url}/notifications/generic`, {
      method: 'POST',
      headers: { 'x-signature': signature },
      body,
    });
    expect(generic.status).toBe(202);
    // module-one follows Stable: an alpha push moves nothing it follows.
    expect(await generic.json()).toEqual({ pushes: 1, syncs: [], ignored: 1, unknown: 0 });
    const forged = await fetch(`${syncer.url}/notifications/generic`, {
      method: 'POST',
      headers: { 'x-signature': signature },
      body: `${body} `,
    });
    expect(forged.status).toBe(401);
  });
});
