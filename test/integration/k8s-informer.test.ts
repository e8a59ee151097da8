import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Informer,
  KubeClient,
  kubeConfigFromString,
  LeaderElector,
  ModuleSources,
  type ModuleSource,
} from '@modsync/k8s';
import { useEnvironment, waitFor } from '../env/index.ts';

const env = useEnvironment();
let client: KubeClient;
const suffix = Date.now().toString(36);

beforeAll(async () => {
  client = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await client.create(
    { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `le-${suffix}` } },
  );
});
afterAll(() => client.close());

describe('Informer', () => {
  it('keeps a cache from list + watch and reports upserts and deletions', async () => {
    const name = `inf-${suffix}`;
    const source = (repo: string): ModuleSource => ({
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'ModuleSource',
      metadata: { name, labels: { informer: suffix } },
      spec: { registry: { repo } },
    });
    await client.apply(ModuleSources, source('registry.example.com/a'));
    const events: string[] = [];
    const informer = new Informer(client, ModuleSources, { labelSelector: `informer=${suffix}` })
      .on({
        onUpsert: (o, prev) => events.push(`${prev ? 'update' : 'add'} ${o.spec.registry.repo}`),
        onDelete: (o) => events.push(`delete ${o.metadata.name}`),
      })
      .start();
    await informer.synced;
    expect(informer.get(name)?.spec.registry.repo).toBe('registry.example.com/a');
    await client.apply(ModuleSources, source('registry.example.com/b'));
    await waitFor(
      'update',
      async () => informer.get(name)?.spec.registry.repo === 'registry.example.com/b',
      10_000,
      20,
    );
    await client.delete(ModuleSources, name);
    await waitFor('delete', async () => informer.get(name) === undefined, 10_000, 20);
    await informer.stop();
    expect(events).toEqual(['add registry.example.com/a', 'update registry.example.com/b', `delete ${name}`]);
  });
});

describe('LeaderElector', () => {
  it('elects one leader; a stopped leader releases the lease and the other takes over', async () => {
    const leaders: string[] = [];
    const elector = (identity: string) =>
      new LeaderElector(client, {
        namespace: `le-${suffix}`,
        name: 'syncer',
        identity,
        leaseDurationMs: 3_000,
        renewIntervalMs: 500,
        retryIntervalMs: 200,
        onStartedLeading: () => leaders.push(identity),
        onError: (err) => console.error('leader election', err),
      }).start();
    const a = elector('a');
    await waitFor('a leads', async () => a.isLeader, 10_000, 20);
    const b = elector('b');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(b.isLeader).toBe(false);
    await a.stop();
    await waitFor('b leads', async () => b.isLeader, 10_000, 20);
    await b.stop();
    expect(leaders).toEqual(['a', 'b']);
  });
});
