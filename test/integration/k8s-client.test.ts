import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeApiError,
  KubeClient,
  kubeConfigFromString,
  ModuleSources,
  ModuleUpdatePolicies,
  type ModuleSource,
  type ModuleUpdatePolicy,
  type WatchEvent,
} from '@modsync/k8s';
import { useEnvironment } from '../env/index.ts';

const env = useEnvironment();
let client: KubeClient;
const suffix = Date.now().toString(36);

beforeAll(async () => {
  client = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')), { retries: 1 });
});
afterAll(async () => {
  await client.close();
});

function source(name: string, repo = 'registry.example.com/deckhouse/modules'): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { test: suffix } },
    spec: { registry: { repo } },
  };
}

describe('KubeClient against the real API server', () => {
  it('reads a missing object as undefined', async () => {
    expect(await client.get(ModuleSources, `missing-${suffix}`)).toBeUndefined();
  });

  it('server-side applies idempotently: the second apply changes nothing', async () => {
    const first = await client.apply(ModuleSources, source(`ssa-${suffix}`));
    const second = await client.apply(ModuleSources, source(`ssa-${suffix}`));
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(first.spec.registry.scheme).toBe('HTTPS');
  });

  it('applies and merge-patches the status subresource', async () => {
    const name = `status-${suffix}`;
    await client.apply(ModuleSources, source(name));
    await client.apply(
      ModuleSources,
      { ...source(name), status: { phase: 'Active', modulesCount: 1, message: 'Ready' } } as ModuleSource,
      { subresource: 'status' },
    );
    const patched = await client.mergePatch(
      ModuleSources,
      name,
      { status: { modulesCount: 2 } },
      { subresource: 'status' },
    );
    expect(patched.status).toMatchObject({ phase: 'Active', modulesCount: 2, message: 'Ready' });
  });

  it('lists by label selector with whole objects', async () => {
    const { items, resourceVersion } = await client.list(ModuleSources, { labelSelector: `test=${suffix}` });
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items[0]).toMatchObject({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleSource' });
    expect(resourceVersion).toMatch(/^\d+$/);
  });

  it('carries the API server’s own message and a stable code on rejection', async () => {
    const bad = {
      apiVersion: 'deckhouse.io/v1alpha2',
      kind: 'ModuleUpdatePolicy',
      metadata: { name: `bad-${suffix}` },
      spec: { releaseChannel: 'Nightly', update: { mode: 'Auto' } },
    } as unknown as ModuleUpdatePolicy;
    const err = await client.apply(ModuleUpdatePolicies, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ code: 'MODSYNC_K8S_INVALID', statusCode: 422, retryable: false });
    expect((err as KubeApiError).message).toMatch(
      /^PATCH \/apis\/deckhouse.io\/v1alpha2\/moduleupdatepolicies\/bad-\w+: .*spec.releaseChannel: Unsupported value: "Nightly"/,
    );
  });

  it('watches additions, changes and deletions from a resourceVersion', async () => {
    const { resourceVersion } = await client.list(ModuleSources, { labelSelector: `watch=${suffix}` });
    const controller = new AbortController();
    const seen: WatchEvent<ModuleSource>[] = [];
    const watching = (async () => {
      for await (const event of client.watch(ModuleSources, {
        resourceVersion,
        labelSelector: `watch=${suffix}`,
        signal: controller.signal,
      })) {
        seen.push(event);
        if (event.type === 'DELETED') break;
      }
    })();
    const name = `watched-${suffix}`;
    const labelled = { ...source(name), metadata: { name, labels: { watch: suffix } } };
    await client.apply(ModuleSources, labelled);
    await client.apply(ModuleSources, { ...labelled, spec: { registry: { repo: 'registry.example.com/other' } } });
    await client.delete(ModuleSources, name);
    await watching;
    controller.abort();
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(await client.delete(ModuleSources, name)).toBe(false);
  });
});
