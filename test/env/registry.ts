import { readFile } from 'node:fs/promises';
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
  log?: (line: string) => void;
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
      .withEnvironment({ REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/registry.crt', REGISTRY_HTTP_TLS_KEY: '/certs/registry.key' });
  }
  if (options.auth) {
    const line = `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 10)}\n`;
    container = container
      .withCopyContentToContainer([{ content: line, target: '/auth/htpasswd' }])
      .withEnvironment({ REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_REALM: 'modsync-test', REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd' });
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
