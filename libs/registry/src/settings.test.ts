import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { authKeyHost, decodeBase64Strict } from './docker-config.ts';
import { RegistryBadConfigError, RegistryCredentialsNotFoundError, RegistryErrorCodes } from './errors.ts';
import { joinRepository, parseRegistrySettings } from './settings.ts';
import { makeTestPki } from './test-support/tls.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cfg = (auths: Record<string, unknown>) => b64(JSON.stringify({ auths }));
const SECRET = 's3cr3t-Pa55';

describe('parseRegistrySettings: repo and scheme', () => {
  it.each([
    {
      input: { repo: 'registry.example.io/deckhouse/modules' },
      want: {
        host: 'registry.example.io',
        hostname: 'registry.example.io',
        port: 443,
        pathPrefix: 'deckhouse/modules',
        scheme: 'HTTPS',
        origin: 'https://registry.example.io',
        baseUrl: 'https://registry.example.io/v2',
      },
    },
    {
      input: { repo: 'Registry.Example.io:5000/deckhouse/modules/', scheme: 'HTTP' },
      want: {
        host: 'registry.example.io:5000',
        port: 5000,
        pathPrefix: 'deckhouse/modules',
        scheme: 'HTTP',
        origin: 'http://registry.example.io:5000',
        baseUrl: 'http://registry.example.io:5000/v2',
      },
    },
    {
      input: { repo: 'r.io:443/m', scheme: 'https' },
      want: { host: 'r.io:443', port: 443, origin: 'https://r.io', scheme: 'HTTPS' },
    },
    {
      input: { repo: '127.0.0.1:5001', scheme: 'HTTP' },
      want: { host: '127.0.0.1:5001', pathPrefix: '', baseUrl: 'http://127.0.0.1:5001/v2' },
    },
    { input: { repo: '[::1]:5000/x' }, want: { host: '[::1]:5000', hostname: '[::1]', port: 5000 } },
    { input: { repo: '  r.io/a  ' }, want: { repo: 'r.io/a', host: 'r.io' } },
  ])('$input.repo', ({ input, want }) => {
    expect(parseRegistrySettings(input)).toMatchObject(want);
  });

  it.each([
    { input: { repo: '' }, field: 'repo' },
    { input: { repo: 'https://r.io/a' }, field: 'repo' },
    { input: { repo: 'r.io/Upper/Case' }, field: 'repo' },
    { input: { repo: 'r.io/a//b' }, field: 'repo' },
    { input: { repo: 'user@r.io/a' }, field: 'repo' },
    { input: { repo: 'r.io:99999/a' }, field: 'repo' },
    { input: { repo: 'r.io/a?x=1' }, field: 'repo' },
    { input: { repo: 'r.io/a', scheme: 'FTP' }, field: 'scheme' },
    { input: { repo: 'r.io/a', ca: 'not a pem' }, field: 'ca' },
    { input: { repo: 'r.io/a', ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, field: 'ca' },
  ])('rejects $input with BAD_CONFIG on $field', ({ input, field }) => {
    try {
      parseRegistrySettings(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RegistryBadConfigError);
      expect((err as RegistryBadConfigError).code).toBe(RegistryErrorCodes.BAD_CONFIG);
      expect((err as RegistryBadConfigError).field).toBe(field);
    }
  });

  it('returns a frozen object and joins repositories under the prefix', () => {
    const s = parseRegistrySettings({ repo: 'r.io/deckhouse/modules' });
    expect(Object.isFrozen(s)).toBe(true);
    expect(joinRepository(s, 'module-one', 'release')).toBe('deckhouse/modules/module-one/release');
    expect(joinRepository(parseRegistrySettings({ repo: 'r.io' }), 'module-one')).toBe('module-one');
  });

  it('keeps a valid CA for HTTPS only, with a trust key', () => {
    const { caPem } = makeTestPki();
    const https = parseRegistrySettings({ repo: 'r.io/a', ca: caPem });
    expect(https.ca).toBe(caPem.trim());
    expect(https.trustKey).toMatch(/^[a-f0-9]{64}$/);
    const http = parseRegistrySettings({ repo: 'r.io/a', scheme: 'HTTP', ca: caPem });
    expect(http.ca).toBeUndefined();
    expect(http.trustKey).toBe('');
  });
});

describe('parseRegistrySettings: dockerCfg', () => {
  const repo = 'registry.example.io:5000/deckhouse/modules';
  it.each([
    {
      name: 'auth (base64 user:pass)',
      auths: { 'registry.example.io:5000': { auth: b64(`robot:${SECRET}`) } },
      want: { kind: 'basic', username: 'robot', password: SECRET },
    },
    {
      name: 'password containing ":"',
      auths: { 'registry.example.io:5000': { auth: b64('robot:a:b') } },
      want: { kind: 'basic', username: 'robot', password: 'a:b' },
    },
    {
      name: 'username/password',
      auths: { 'registry.example.io:5000': { username: 'u', password: SECRET } },
      want: { kind: 'basic', username: 'u', password: SECRET },
    },
    {
      name: 'username/password win over auth',
      auths: { 'registry.example.io:5000': { username: 'u', password: 'p', auth: b64('x:y') } },
      want: { kind: 'basic', username: 'u', password: 'p' },
    },
    {
      name: 'identitytoken',
      auths: { 'registry.example.io:5000': { identitytoken: SECRET } },
      want: { kind: 'identityToken', username: '<token>', identityToken: SECRET },
    },
    {
      name: 'identitytoken with user',
      auths: { 'registry.example.io:5000': { auth: b64('me:'), identitytoken: SECRET } },
      want: { kind: 'identityToken', username: 'me', identityToken: SECRET },
    },
    {
      name: 'registrytoken',
      auths: { 'registry.example.io:5000': { registrytoken: SECRET } },
      want: { kind: 'registryToken', registryToken: SECRET },
    },
    {
      name: 'key with scheme and path',
      auths: { 'https://registry.example.io:5000/v1/': { username: 'u', password: 'p' } },
      want: { kind: 'basic', username: 'u', password: 'p' },
    },
    {
      name: 'key in another case',
      auths: { 'REGISTRY.example.io:5000': { username: 'u', password: 'p' } },
      want: { kind: 'basic', username: 'u', password: 'p' },
    },
    { name: 'empty entry = anonymous', auths: { 'registry.example.io:5000': {} }, want: undefined },
    {
      name: 'other hosts ignored',
      auths: {
        'registry.example.io': { username: 'wrong', password: 'x' },
        'registry.example.io:5000': { username: 'u', password: 'p' },
      },
      want: { kind: 'basic', username: 'u', password: 'p' },
    },
  ])('$name', ({ auths, want }) => {
    const s = parseRegistrySettings({ repo, dockerCfg: cfg(auths) });
    if (want === undefined) expect(s.credentials).toBeUndefined();
    else expect({ ...s.credentials }).toEqual(want);
  });

  it('accepts raw JSON when the text is not base64 (as DKP does)', () => {
    const s = parseRegistrySettings({
      repo,
      dockerCfg: JSON.stringify({ auths: { 'registry.example.io:5000': { username: 'u', password: 'p' } } }),
    });
    expect(s.credentials).toMatchObject({ kind: 'basic', username: 'u' });
  });

  it('is anonymous without a dockerCfg, or with an empty one', () => {
    expect(parseRegistrySettings({ repo }).credentials).toBeUndefined();
    expect(parseRegistrySettings({ repo, dockerCfg: '' }).credentials).toBeUndefined();
    expect(parseRegistrySettings({ repo }).credentialsId).toBe('anonymous');
  });

  it.each([
    { name: 'no entry for the host', dockerCfg: cfg({ 'other.io': { auth: b64('a:b') } }) },
    { name: 'port differs', dockerCfg: cfg({ 'registry.example.io': { auth: b64('a:b') } }) },
    { name: 'no auths at all', dockerCfg: b64('{}') },
  ])('credentials not found: $name → DKP text', ({ dockerCfg }) => {
    expect(() => parseRegistrySettings({ repo, dockerCfg })).toThrow(RegistryCredentialsNotFoundError);
    expect(() => parseRegistrySettings({ repo, dockerCfg })).toThrow(
      `read auth config: "registry.example.io:5000/deckhouse/modules" credentials not found in the dockerCfg`,
    );
  });

  it.each([
    {
      name: 'neither base64 nor JSON',
      dockerCfg: `{not json ${SECRET}`,
      message: 'read auth config: dockerCfg is neither base64-encoded JSON nor JSON',
    },
    {
      name: 'base64 of non-JSON',
      dockerCfg: b64(`user:${SECRET}`),
      message: 'read auth config: dockerCfg is base64 but its content is not valid JSON',
    },
    {
      name: 'auths not an object',
      dockerCfg: b64('{"auths":[1]}'),
      message: 'read auth config: dockerCfg must be a JSON object whose "auths" is an object',
    },
    {
      name: 'JSON array',
      dockerCfg: b64('[]'),
      message: 'read auth config: dockerCfg must be a JSON object whose "auths" is an object',
    },
    {
      name: 'entry of wrong types',
      dockerCfg: cfg({ 'registry.example.io:5000': { username: 1 } }),
      message: 'is not an object of strings',
    },
    {
      name: 'auth not base64',
      dockerCfg: cfg({ 'registry.example.io:5000': { auth: `!!${SECRET}` } }),
      message: 'is not base64 of user:password',
    },
    {
      name: 'auth without colon',
      dockerCfg: cfg({ 'registry.example.io:5000': { auth: b64(SECRET) } }),
      message: 'is not base64 of user:password',
    },
  ])('bad dockerCfg: $name → BAD_CONFIG without the secret', ({ dockerCfg, message }) => {
    let caught: unknown;
    try {
      parseRegistrySettings({ repo, dockerCfg });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RegistryBadConfigError);
    const err = caught as RegistryBadConfigError;
    expect(err.message).toContain(message);
    expect(err.field).toBe('dockerCfg');
    expect(inspect(err, { depth: 5 })).not.toContain(SECRET);
    expect(inspect(err, { depth: 5 })).not.toContain(b64(`user:${SECRET}`));
  });

  it('never prints credentials: JSON, inspect, spread of settings', () => {
    const s = parseRegistrySettings({
      repo,
      dockerCfg: cfg({ 'registry.example.io:5000': { username: 'u', password: SECRET } }),
    });
    expect(JSON.stringify(s)).not.toContain(SECRET);
    expect(inspect(s, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify(s.credentials)).toBe('{"kind":"basic","redacted":true}');
    expect(inspect(s.credentials)).not.toContain(SECRET);
    expect(JSON.stringify({ ...s })).not.toContain(SECRET);
    expect(s.credentialsId).toMatch(/^[a-f0-9]{24}$/);
    expect(s.credentialsId).not.toBe(
      parseRegistrySettings({
        repo,
        dockerCfg: cfg({ 'registry.example.io:5000': { username: 'u', password: 'other' } }),
      }).credentialsId,
    );
  });
});

describe('docker config helpers', () => {
  it.each([
    ['registry.example.io', 'registry.example.io'],
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['http://R.io:5000', 'r.io:5000'],
    ['r.io:5000/some/path', 'r.io:5000'],
    ['user@r.io', 'r.io'],
  ])('authKeyHost(%s) = %s', (key, want) => {
    expect(authKeyHost(key)).toBe(want);
  });

  it.each([
    ['YWI6Y2Q=', 'ab:cd'],
    ['YWI6\nY2Q=', 'ab:cd'],
    ['YWI6Y2Q', undefined],
    ['{"auths":{}}', undefined],
    ['', ''],
  ])('decodeBase64Strict(%j)', (text, want) => {
    expect(decodeBase64Strict(text)?.toString('utf8')).toBe(want);
  });
});
