import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** Where and how to reach the API server: what a kubeconfig's current context (or a pod's service account) says. */
export interface ClusterCredentials {
  /** https://host:port */
  server: string;
  /** PEM: the server's CA, the client certificate and key (mutual TLS). */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  insecureSkipTLSVerify: boolean;
  /** The Authorization header, if any; a token file is read again each time (service-account tokens rotate). */
  authorization(): Promise<string | undefined>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value?: T;
}

interface RawCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

interface RawUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

function pick<T>(list: unknown, key: string, name: string | undefined, what: string): T {
  const entries = (Array.isArray(list) ? list : []) as NamedEntry<T>[];
  const entry = entries.find((e) => e.name === name);
  if (!entry) throw new Error(`kubeconfig: ${what} ${JSON.stringify(name)} not found`);
  return (entry[key] ?? {}) as T;
}

/**
 * The current context of a kubeconfig (YAML text). Paths in it are relative to `baseDir` (the file's folder).
 * Users with exec or auth-provider plugins are refused: modsync authenticates with tokens and client certificates only.
 */
export function kubeConfigFromString(text: string, baseDir = process.cwd()): ClusterCredentials {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const contextName = doc['current-context'] as string | undefined;
  if (!contextName) throw new Error('kubeconfig: no current-context');
  const context = pick<{ cluster?: string; user?: string }>(doc['contexts'], 'context', contextName, 'context');
  const cluster = pick<RawCluster>(doc['clusters'], 'cluster', context.cluster, 'cluster');
  const user = context.user ? pick<RawUser>(doc['users'], 'user', context.user, 'user') : ({} as RawUser);
  if (user.exec || user['auth-provider']) {
    throw new Error(`kubeconfig: user ${JSON.stringify(context.user)} authenticates with an exec or auth-provider plugin, which modsync does not run; use a token or a client certificate`);
  }
  if (!cluster.server) throw new Error(`kubeconfig: cluster ${JSON.stringify(context.cluster)} has no server`);
  const file = (path: string) => readFileSync(isAbsolute(path) ? path : join(baseDir, path), 'utf8');
  const data = (inline: string | undefined, path: string | undefined) => (inline ? Buffer.from(inline, 'base64').toString('utf8') : path ? file(path) : undefined);
  const tokenFile = user.tokenFile ? (isAbsolute(user.tokenFile) ? user.tokenFile : join(baseDir, user.tokenFile)) : undefined;
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    async authorization() {
      if (tokenFile) return `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}`;
      if (user.token) return `Bearer ${user.token}`;
      if (user.username && user.password) return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      return undefined;
    },
  };
}

/** A pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token and CA). */
export function inClusterCredentials(env: NodeJS.ProcessEnv = process.env): ClusterCredentials {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt'), 'utf8'),
    insecureSkipTLSVerify: false,
    async authorization() {
      return `Bearer ${(await readFile(join(SERVICE_ACCOUNT_DIR, 'token'), 'utf8')).trim()}`;
    },
  };
}

/**
 * Credentials from `file`, else $KUBECONFIG (its first file), else ~/.kube/config, else the pod's service account —
 * kubectl's order. Fails with what to provide.
 */
export function loadKubeConfig(file?: string, env: NodeJS.ProcessEnv = process.env): ClusterCredentials {
  const candidates = [file, env['KUBECONFIG']?.split(':').find(Boolean), join(env['HOME'] ?? homedir(), '.kube', 'config')].filter((f): f is string => Boolean(f));
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (path === file) throw new Error(`kubeconfig ${path}: ${(err as Error).message}`);
      continue;
    }
    return kubeConfigFromString(text, dirname(path));
  }
  if (env['KUBERNETES_SERVICE_HOST']) return inClusterCredentials(env);
  throw new Error('no kubeconfig: set KUBECONFIG or pass --kubeconfig (or run in a pod with a service account)');
}
