import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeConfigFromString, loadKubeConfig } from './kubeconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA') }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster }, { name: 'other', cluster: { server: 'https://other' } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

describe('kubeConfigFromString: the current context', () => {
  it.each([
    ['client certificate data', { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }, { cert: 'CERT', key: 'KEY' }, undefined],
    ['a bearer token', { token: 'abc' }, {}, 'Bearer abc'],
    ['basic auth', { username: 'me', password: 'pw' }, {}, `Basic ${b64('me:pw')}`],
    ['no credentials', {}, {}, undefined],
  ])('%s', async (_title, user, expected, authorization) => {
    const creds = kubeConfigFromString(kubeconfig(user));
    expect(creds).toMatchObject({ server: 'https://127.0.0.1:6443', ca: 'CA', insecureSkipTLSVerify: false, ...expected });
    expect(await creds.authorization()).toBe(authorization);
  });

  it('reads files relative to the kubeconfig’s folder, and a token file again each time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    writeFileSync(join(dir, 'ca.crt'), 'FILE-CA');
    writeFileSync(join(dir, 'token'), 'one\n');
    writeFileSync(join(dir, 'config'), kubeconfig({ tokenFile: 'token' }, { server: 'https://h:1', 'certificate-authority': 'ca.crt' }));
    const creds = loadKubeConfig(join(dir, 'config'), {});
    expect(creds.ca).toBe('FILE-CA');
    expect(await creds.authorization()).toBe('Bearer one');
    writeFileSync(join(dir, 'token'), 'two\n');
    expect(await creds.authorization()).toBe('Bearer two');
  });

  it.each([
    ['an exec plugin', kubeconfig({ exec: { command: 'aws' } }), /exec or auth-provider plugin, which modsync does not run/],
    ['no current context', JSON.stringify({ clusters: [] }), /no current-context/],
    ['a missing cluster', JSON.stringify({ 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'nope' } }] }), /cluster "nope" not found/],
  ])('refuses %s with a message that says so', (_title, text, message) => {
    expect(() => kubeConfigFromString(text)).toThrow(message);
  });

  it('loadKubeConfig without any kubeconfig or service account says what to provide', () => {
    expect(() => loadKubeConfig(undefined, { HOME: mkdtempSync(join(tmpdir(), 'home-')) })).toThrow(/set KUBECONFIG or pass --kubeconfig/);
  });
});
