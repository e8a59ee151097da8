// The proxy environment on real loopback sockets: HTTP_PROXY is used, NO_PROXY is respected.
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient } from './client.ts';
import { parseRegistrySettings } from './settings.ts';
import { buildImage, seedImage, startFakeRegistry } from './test-support/fixture.ts';
import { setEnv, startForwardProxy } from './test-support/forward-proxy.ts';
import { makeTestPki } from './test-support/tls.ts';

const REPO = 'deckhouse/modules/module-one/release';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('registry client and the proxy environment', () => {
  it.each([
    ['goes through HTTP_PROXY', '', 1],
    ['goes direct to a host in NO_PROXY', '127.0.0.1', 0],
  ])('%s', async (_title, noProxy, tunnels) => {
    const reg = await startFakeRegistry({ kind: 'none' });
    cleanups.push(() => reg.close());
    const image = buildImage({ 'version.json': '{"version":"v1.0.0"}' });
    seedImage(reg.fake, REPO, 'stable', image);
    const proxy = await startForwardProxy();
    cleanups.push(
      () => proxy.close(),
      setEnv({ HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: noProxy, no_proxy: noProxy }),
    );
    const client = createRegistryClient();
    cleanups.push(() => client.close());
    const settings = parseRegistrySettings({ repo: `${reg.server.host}/deckhouse/modules`, scheme: 'HTTP' });
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(proxy.targets).toEqual(tunnels ? [`http://${reg.server.host}/v2/${REPO}/manifests/stable`] : []);
  });

  it('tunnels to an HTTPS registry through HTTPS_PROXY, trusting the source’s CA inside the tunnel', async () => {
    const pki = makeTestPki();
    const reg = await startFakeRegistry({ kind: 'none' }, pki);
    cleanups.push(() => reg.close());
    const image = buildImage({ 'version.json': '{"version":"v1.0.0"}' });
    seedImage(reg.fake, REPO, 'stable', image);
    const proxy = await startForwardProxy();
    cleanups.push(
      () => proxy.close(),
      setEnv({ HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '' }),
    );
    const client = createRegistryClient();
    cleanups.push(() => client.close());
    const settings = parseRegistrySettings({
      repo: `${reg.server.host}/deckhouse/modules`,
      scheme: 'HTTPS',
      ca: pki.caPem,
    });
    expect((await client.headManifest(settings, REPO, 'stable')).digest).toBe(image.manifestDigest);
    expect(proxy.targets).toEqual([reg.server.host]);
  });
});
