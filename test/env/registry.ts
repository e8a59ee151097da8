import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { createTestPki, type TestPki } from './certs.ts';
import { CONTAINER_LABELS, keepContainerLogs } from './containers.ts';
import { ensureLocalImage } from './images.ts';
import { freePort, waitFor } from './net.ts';

export interface TestRegistry {
  /** host:port, as a ModuleSource's repo starts. */
  host: string;
  scheme: 'HTTP' | 'HTTPS';
  /** Basic-auth user and password when started with `auth`. */
  username?: string;
  password?: string;
  /** PEM of the CA that signed the registry's certificate when started with `tls`. */
  caPem?: string;
  pki?: TestPki;
  logFile: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  logDir: string;
  /** Folder for the TLS certificates. */
  dir: string;
  name?: string;
  /** htpasswd basic auth (bcrypt, as distribution requires). */
  auth?: { username: string; password: string };
  /** Serve HTTPS with a certificate signed by a CA made for this registry. */
  tls?: boolean;
  /** Docker token auth (`REGISTRY_AUTH=token`): see `startTokenServer`, whose `registryAuth` fits here. */
  token?: RegistryTokenAuth;
  /** Send distribution's push notifications to `url` with `Authorization: Bearer <token>` (pulls and blobs left out). */
  notifications?: { url: string; token: string };
  log?: (line: string) => void;
}

/**
 * The image's config (test/env/images/registry/config.yml, as the official image's) plus a notifications endpoint:
 * distribution reads lists only from its file, not from REGISTRY_* variables.
 */
function configWithNotifications(notifications: { url: string; token: string }): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    'storage:',
    '  filesystem:',
    '    rootdirectory: /var/lib/registry',
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:5000',
    'notifications:',
    '  endpoints:',
    '    - name: modsync',
    `      url: ${notifications.url}`,
    '      headers:',
    `        Authorization: [Bearer ${notifications.token}]`,
    '      timeout: 2s',
    '      threshold: 3',
    '      backoff: 200ms',
    '      ignoredmediatypes: [application/octet-stream]',
    '      ignore:',
    '        actions: [pull]',
    '',
  ].join('\n');
}

/** A CNCF distribution registry (registry:2 compatible) on the host network. Image: MODSYNC_REGISTRY_IMAGE or built locally. */
export async function startRegistry(options: StartRegistryOptions): Promise<TestRegistry> {
  const image = await ensureLocalImage('registry', process.env.MODSYNC_REGISTRY_IMAGE, options.log);
  const port = await freePort();
  const name = options.name ?? 'registry';
  let container = new GenericContainer(image)
    .withNetworkMode('host')
    .withLabels(CONTAINER_LABELS)
    .withEnvironment({ REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_STORAGE_DELETE_ENABLED: 'true' })
    .withWaitStrategy(Wait.forLogMessage(/listening on/))
    .withStartupTimeout(30_000);
  let pki: TestPki | undefined;
  if (options.tls) {
    pki = await createTestPki(join(options.dir, `${name}-pki`), `modsync-test-${name}-ca`);
    container = container
      .withCopyContentToContainer([
        { content: await readFile(pki.serverCert), target: '/certs/registry.crt' },
        { content: await readFile(pki.serverKey), target: '/certs/registry.key', mode: 0o644 },
      ])
      .withEnvironment({
        REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/registry.crt',
        REGISTRY_HTTP_TLS_KEY: '/certs/registry.key',
      });
  }
  if (options.notifications) {
    container = container.withCopyContentToContainer([
      { content: configWithNotifications(options.notifications), target: '/etc/docker/registry/config.yml' },
    ]);
  }
  if (options.auth) {
    const line = `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 10)}\n`;
    container = container.withCopyContentToContainer([{ content: line, target: '/auth/htpasswd' }]).withEnvironment({
      REGISTRY_AUTH: 'htpasswd',
      REGISTRY_AUTH_HTPASSWD_REALM: 'modsync-test',
      REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
    });
  }
  if (options.token) {
    container = container
      .withCopyContentToContainer([{ content: options.token.rootCertBundle, target: '/auth/token-roots.pem' }])
      .withEnvironment({
        REGISTRY_AUTH: 'token',
        REGISTRY_AUTH_TOKEN_REALM: options.token.realm,
        REGISTRY_AUTH_TOKEN_SERVICE: options.token.service,
        REGISTRY_AUTH_TOKEN_ISSUER: options.token.issuer,
        REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE: '/auth/token-roots.pem',
      });
  }
  const started = await container.start();
  const logFile = await keepContainerLogs(started, options.logDir, name);
  const caPem = pki ? await readFile(pki.caCert, 'utf8') : undefined;
  const host = `127.0.0.1:${port}`;
  if (!options.tls) {
    // Log line seen; also wait until the API itself answers.
    await waitFor(name, async () => (await fetch(`http://${host}/v2/`)).status < 500, 10_000);
  }
  return {
    host,
    scheme: options.tls ? 'HTTPS' : 'HTTP',
    username: options.auth?.username,
    password: options.auth?.password,
    caPem,
    pki,
    logFile,
    container: started,
    async stop() {
      await started.stop({ timeout: 1_000 });
    },
  };
}

/** What a registry needs to trust a token server. */
interface RegistryTokenAuth {
  /** URL clients get tokens from (the `realm` of the registry's `WWW-Authenticate: Bearer` challenge). */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the CA the `x5c` chain of every token must end at. */
  rootCertBundle: string;
}

interface TokenServerRequest {
  /** `scope` parameters as asked. */
  scopes: string[];
  /** undefined = no credentials. */
  username: string | undefined;
  status: number;
}

export interface TestTokenServer {
  registryAuth: RegistryTokenAuth;
  /** Every token request, in order. */
  requests: TokenServerRequest[];
  close(): Promise<void>;
}

export interface StartTokenServerOptions {
  /** Folder for the token signing PKI. */
  dir: string;
  username: string;
  password: string;
  /** `expires_in` of the tokens. @defaultValue 300 */
  ttlSeconds?: number;
  service?: string;
  issuer?: string;
}

/**
 * A Docker token server (distribution's token auth spec) on 127.0.0.1: `GET /token?service=…&scope=…` with Basic
 * credentials returns an ES256 JWT granting the actions asked for. The JWT's `x5c` header carries the signing key's
 * certificate, issued by a CA made here (`registryAuth.rootCertBundle`), which is how distribution verifies it.
 * Requests without valid credentials get 401.
 */
export async function startTokenServer(options: StartTokenServerOptions): Promise<TestTokenServer> {
  const pki = await createTestPki(join(options.dir, `token-pki-${randomUUID().slice(0, 8)}`), 'modsync-test-token-ca');
  const key = createPrivateKey(await readFile(pki.serverKey));
  const alg = key.asymmetricKeyType === 'rsa' ? 'RS256' : 'ES256';
  const x5c = [new X509Certificate(await readFile(pki.serverCert)).raw.toString('base64')];
  const service = options.service ?? 'modsync-test-registry';
  const issuer = options.issuer ?? 'modsync-test-token-server';
  const ttl = options.ttlSeconds ?? 300;
  const requests: TokenServerRequest[] = [];
  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const scopes = url.searchParams.getAll('scope');
    const reply = (status: number, body: unknown, username?: string) => {
      requests.push({ scopes, username, status });
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(status === 401 ? { 'www-authenticate': 'Basic realm="token"' } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/token')
      return reply(404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const [user, ...rest] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString('utf8').split(':');
    if (user !== options.username || rest.join(':') !== options.password) {
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, user);
    }
    // `repository:<name>:<actions>`; a name may itself hold colons (host:port), so split at the first and last.
    const access = scopes
      .flatMap((scope) => scope.split(' '))
      .filter((s) => s !== '')
      .map((scope) => {
        const first = scope.indexOf(':');
        const last = scope.lastIndexOf(':');
        return {
          type: scope.slice(0, first),
          name: scope.slice(first + 1, last),
          actions: scope
            .slice(last + 1)
            .split(',')
            .filter((a) => a !== ''),
        };
      });
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user,
      aud: service,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64url({ typ: 'JWT', alg, x5c })}.${b64url(claims)}`;
    const signature = sign(
      'sha256',
      Buffer.from(signingInput),
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
    );
    const token = `${signingInput}.${signature.toString('base64url')}`;
    reply(200, { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() }, user);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    registryAuth: {
      realm: `http://127.0.0.1:${port}/token`,
      service,
      issuer,
      rootCertBundle: await readFile(pki.caCert, 'utf8'),
    },
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
