import { afterAll, describe, expect, it } from 'vitest';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { useEnvironment } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const client = createRegistryClient();
afterAll(() => client.close());

function dockerCfg(host: string, username: string, password: string): string {
  return Buffer.from(
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }),
  ).toString('base64');
}

describe('fixture publisher on a real registry', () => {
  it('publishes module-one at v0.7.24 on stable in the DKP layout, readable by tag and digest', async () => {
    const path = `fixtures-${Date.now().toString(36)}/modules`;
    const settings = parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' });
    const publisher = new ModulePublisher(client, settings, path);
    const published = await publisher.publish({
      module: 'module-one',
      version: 'v0.7.24',
      channels: ['stable'],
      weight: 910,
    });

    expect(await client.listTags(settings, path)).toEqual(['module-one']);
    expect(await client.listTags(settings, `${path}/module-one`)).toEqual(['v0.7.24']);
    expect((await client.listTags(settings, `${path}/module-one/release`)).sort()).toEqual(['stable', 'v0.7.24']);

    const head = await client.headManifest(settings, `${path}/module-one/release`, 'stable');
    expect(head.digest).toBe(published.releaseDigest);
    const byDigest = await client.getManifest(settings, `${path}/module-one/release`, published.releaseDigest);
    expect(byDigest.digest).toBe(published.releaseDigest);

    const files = await client.readImageFiles(settings, `${path}/module-one/release`, 'stable', { maxBytes: 1 << 20 });
    expect(JSON.parse(files.get('version.json')!.toString())).toEqual({ version: 'v0.7.24' });
    expect(files.get('module.yaml')!.toString()).toMatch(/weight: 910/);

    const bundle = await client.readImageFiles(settings, `${path}/module-one`, 'v0.7.24', { maxBytes: 1 << 20 });
    expect([...bundle.keys()].sort()).toEqual([
      'Chart.yaml',
      'module.yaml',
      'openapi/config-values.yaml',
      'openapi/values.yaml',
      'templates/configmap.yaml',
      'version.json',
    ]);
  });

  it('republishing the same content gives the same digests', async () => {
    const path = `stable-digests-${Date.now().toString(36)}/modules`;
    const publisher = new ModulePublisher(
      client,
      parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
      path,
    );
    const first = await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
    const second = await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
    expect(second).toEqual(first);
  });

  it('publishes to the registry with htpasswd and TLS using a dockerCfg and the registry’s CA', async () => {
    const secure = env.secureRegistry!;
    const path = `secure-${Date.now().toString(36)}/modules`;
    const settings = parseRegistrySettings({
      repo: `${secure.host}/${path}`,
      scheme: 'HTTPS',
      ca: secure.caPem,
      dockerCfg: dockerCfg(secure.host, secure.username, secure.password),
    });
    const publisher = new ModulePublisher(client, settings, path);
    const { releaseDigest } = await publisher.publish({
      module: 'module-one',
      version: 'v0.7.24',
      channels: ['stable'],
    });
    expect((await client.headManifest(settings, `${path}/module-one/release`, 'stable')).digest).toBe(releaseDigest);

    const anonymous = parseRegistrySettings({ repo: `${secure.host}/${path}`, scheme: 'HTTPS', ca: secure.caPem });
    await expect(client.listTags(anonymous, path)).rejects.toMatchObject({ code: 'MODSYNC_REGISTRY_UNAUTHORIZED' });
    const untrusted = parseRegistrySettings({
      repo: `${secure.host}/${path}`,
      scheme: 'HTTPS',
      dockerCfg: dockerCfg(secure.host, secure.username, secure.password),
    });
    await expect(client.listTags(untrusted, path)).rejects.toThrow(/certificate/i);
  });
});
