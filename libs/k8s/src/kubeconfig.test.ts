import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeConfigFromString, loadKubeConfig, type KubeConfig } from './kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA') },
  names = { cluster: 'c', user: 'u', context: 'ctx' },
): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: names.cluster, cluster }],
    users: [{ name: names.user, user }],
    contexts: [{ name: names.context, context: { cluster: names.cluster, user: names.user } }],
    'current-context': names.context,
  });
}

/** What client-node would send: the headers and TLS material of one request. */
async function applied(
  kc: KubeConfig,
): Promise<{ headers: Record<string, string>; ca?: string; cert?: string; key?: string; auth?: string }> {
  const opts: { headers?: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer; auth?: string } = {};
  await kc.applyToHTTPSOptions(opts);
  return {
    headers: opts.headers ?? {},
    ca: opts.ca?.toString(),
    cert: opts.cert?.toString(),
    key: opts.key?.toString(),
    auth: opts.auth,
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubeconfig-'));
}

describe('kubeConfigFromString: client-node’s KubeConfig for the current context', () => {
  it.each([
    [
      'client certificate data',
      { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') },
      { headers: {}, ca: 'CA', cert: 'CERT', key: 'KEY', auth: undefined },
    ],
    [
      'a bearer token',
      { token: 'abc' },
      { headers: { Authorization: 'Bearer abc' }, ca: 'CA', cert: undefined, key: undefined, auth: undefined },
    ],
    [
      'basic auth',
      { username: 'me', password: 'pw' },
      { headers: {}, ca: 'CA', cert: undefined, key: undefined, auth: 'me:pw' },
    ],
    ['no credentials', {}, { headers: {}, ca: 'CA', cert: undefined, key: undefined, auth: undefined }],
  ])('%s', async (_title, user, expected) => {
    const kc = kubeConfigFromString(kubeconfig(user));
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(await applied(kc)).toEqual(expected);
  });

  it('reads files relative to the kubeconfig’s folder; kubectl’s tokenFile goes to client-node’s file authenticator', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.crt'), 'FILE-CA');
    writeFileSync(join(dir, 'token'), 'one');
    writeFileSync(
      join(dir, 'config'),
      kubeconfig({ tokenFile: 'token' }, { server: 'https://h:1', 'certificate-authority': 'ca.crt' }),
    );
    const kc = loadKubeConfig(join(dir, 'config'), {});
    expect(await applied(kc)).toMatchObject({ ca: 'FILE-CA', headers: { Authorization: 'Bearer one' } });
    expect(kc.getCurrentUser()?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: join(dir, 'token') } });
  });

  it('runs an exec plugin (client.authentication.k8s.io/v1) and caches its credential until it expires', async () => {
    const dir = tempDir();
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    const script = join(dir, 'plugin.sh');
    writeFileSync(
      script,
      `#!/bin/sh\necho run >> ${counter}\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-plugin","expirationTimestamp":"2999-01-01T00:00:00Z"}}'\n`,
      { mode: 0o755 },
    );
    const kc = kubeConfigFromString(
      kubeconfig({
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' },
      }),
    );
    expect((await applied(kc)).headers).toEqual({ Authorization: 'Bearer from-plugin' });
    expect((await applied(kc)).headers).toEqual({ Authorization: 'Bearer from-plugin' });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(counter, 'utf8')).toBe('run\n');
  });

  it.each([
    ['no current context', JSON.stringify({ clusters: [], users: [], contexts: [] }), undefined, /no current-context/],
    [
      'a missing cluster',
      JSON.stringify({
        'current-context': 'x',
        clusters: [],
        users: [],
        contexts: [{ name: 'x', context: { cluster: 'nope', user: 'u' } }],
      }),
      undefined,
      /cluster "nope" not found/,
    ],
    ['an unknown --context', kubeconfig({}), 'other', /context "other" not found \(contexts: ctx\)/],
  ])('refuses %s with a message that says so', (_title, text, context, message) => {
    expect(() => kubeConfigFromString(text, undefined, context)).toThrow(message);
  });
});

describe('loadKubeConfig: kubectl’s order and merge', () => {
  it('merges every file of KUBECONFIG (the first to name an entry wins) and --context picks among them', () => {
    const dir = tempDir();
    const first = join(dir, 'a');
    const second = join(dir, 'b');
    writeFileSync(
      first,
      kubeconfig({ token: 'a' }, { server: 'https://a:1' }, { cluster: 'ca', user: 'ua', context: 'a' }),
    );
    writeFileSync(
      second,
      kubeconfig({ token: 'b' }, { server: 'https://b:1' }, { cluster: 'cb', user: 'ub', context: 'b' }).replace(
        '"current-context":"b"',
        '"current-context":"b"',
      ),
    );
    const env = { KUBECONFIG: `${first}:${join(dir, 'missing')}:${second}`, HOME: dir };
    expect(loadKubeConfig(undefined, env).getCurrentCluster()?.server).toBe('https://a:1');
    const kc = loadKubeConfig(undefined, env, 'b');
    expect(kc.getCurrentCluster()?.server).toBe('https://b:1');
    expect(kc.getCurrentUser()?.token).toBe('b');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('takes --kubeconfig before KUBECONFIG, and says which file it cannot read', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x'), kubeconfig({}, { server: 'https://x:1' }));
    writeFileSync(join(dir, 'y'), kubeconfig({}, { server: 'https://y:1' }));
    expect(loadKubeConfig(join(dir, 'x'), { KUBECONFIG: join(dir, 'y') }).getCurrentCluster()?.server).toBe(
      'https://x:1',
    );
    expect(() => loadKubeConfig(join(dir, 'nope'), {})).toThrow(`kubeconfig ${join(dir, 'nope')}: ENOENT`);
  });

  it('without any kubeconfig or service account says what to provide', () => {
    expect(() => loadKubeConfig(undefined, { HOME: tempDir() })).toThrow(/set KUBECONFIG or pass --kubeconfig/);
  });
});
