// Configuration and credentials come from @kubernetes/client-node's KubeConfig, the one loader for the CLI and the
// services: exec plugins (client.authentication.k8s.io, cached until the credential expires), OIDC, in-cluster
// service-account tokens (read again every minute), client certificates, proxy-url. What is ours: kubectl's search
// order and merging of several files (first definition of a name wins), `--context`, and kubectl's `tokenFile` field,
// which client-node's loader drops (docs: libs/k8s/README.md).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export { KubeConfig };
/**
 * kubectl's `users[].user.tokenFile` (re-read as it rotates): client-node keeps only `token`, so the token file is
 * handed to client-node's own file authenticator, which reads the file again every minute.
 */
function withTokenFiles(kc: KubeConfig, text: string, baseDir: string): void {
  const doc = parse(text) as { users?: { name?: string; user?: { tokenFile?: unknown } }[] } | null;
  const files = new Map<string, string>();
  for (const entry of doc?.users ?? []) {
    const file = entry?.user?.tokenFile;
    if (entry?.name && typeof file === 'string' && file)
      files.set(entry.name, isAbsolute(file) ? file : join(baseDir, file));
  }
  if (files.size === 0) return;
  const users = kc.getUsers().map((user): User => {
    const tokenFile = files.get(user.name);
    return tokenFile && !user.token && !user.exec && !user.authProvider
      ? { ...user, authProvider: { name: 'tokenFile', config: { tokenFile } } }
      : user;
  });
  kc.loadFromOptions({
    clusters: kc.getClusters(),
    users,
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
}

function fromText(text: string, baseDir: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  kc.makePathsAbsolute(baseDir);
  withTokenFiles(kc, text, baseDir);
  return kc;
}

function fromFile(path: string): KubeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`kubeconfig ${path}: ${(err as Error).message}`);
  }
  return fromText(text, dirname(path));
}

/** kubectl's merge of a KUBECONFIG list: the first file that names a cluster, user or context (or current-context) wins. */
function merged(paths: string[]): KubeConfig {
  const kc = fromFile(paths[0]!);
  for (const path of paths.slice(1)) {
    const next = fromFile(path);
    const has = <T extends { name: string }>(list: T[], name: string) => list.some((e) => e.name === name);
    for (const c of next.getClusters()) if (!has(kc.getClusters(), c.name)) kc.addCluster(c);
    for (const u of next.getUsers()) if (!has(kc.getUsers(), u.name)) kc.addUser(u);
    for (const c of next.getContexts()) if (!has(kc.getContexts(), c.name)) kc.addContext(c);
    if (!kc.getCurrentContext() && next.getCurrentContext()) kc.setCurrentContext(next.getCurrentContext());
  }
  return kc;
}

/** Fails unless the current context names a cluster with a server: the message says which entry is missing. */
function checked(kc: KubeConfig, context: string | undefined): KubeConfig {
  if (context !== undefined) {
    if (!kc.getContextObject(context))
      throw new Error(
        `kubeconfig: context ${JSON.stringify(context)} not found (contexts: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    kc.setCurrentContext(context);
  }
  const name = kc.getCurrentContext();
  if (!name) throw new Error('kubeconfig: no current-context (pass --context)');
  const ctx = kc.getContextObject(name);
  if (!ctx) throw new Error(`kubeconfig: context ${JSON.stringify(name)} not found`);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) throw new Error(`kubeconfig: cluster ${JSON.stringify(ctx.cluster)} not found`);
  if (!cluster.server) throw new Error(`kubeconfig: cluster ${JSON.stringify(ctx.cluster)} has no server`);
  if (ctx.user && !kc.getUser(ctx.user)) throw new Error(`kubeconfig: user ${JSON.stringify(ctx.user)} not found`);
  return kc;
}

/** A kubeconfig's text; relative paths in it are taken from `baseDir` (the file's folder). */
export function kubeConfigFromString(text: string, baseDir = process.cwd(), context?: string): KubeConfig {
  return checked(fromText(text, baseDir), context);
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token and CA). */
function inClusterCredentials(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT'])
    throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set');
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

function paths(list: string | undefined): string[] {
  return (list ?? '').split(delimiter).filter(Boolean);
}

/**
 * kubectl's order: `file` (a path, or several joined like KUBECONFIG), else every file of $KUBECONFIG merged, else
 * ~/.kube/config, else the pod's service account. `context` replaces the current-context. Fails with what to provide.
 */
export function loadKubeConfig(file?: string, env: NodeJS.ProcessEnv = process.env, context?: string): KubeConfig {
  const explicit = paths(file);
  if (explicit.length > 0) return checked(merged(explicit), context);
  const listed = paths(env['KUBECONFIG']).filter((p) => existsSync(p));
  if (listed.length > 0) return checked(merged(listed), context);
  const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return checked(fromFile(home), context);
  if (env['KUBERNETES_SERVICE_HOST'] && existsSync(SERVICE_ACCOUNT_TOKEN))
    return checked(inClusterCredentials(env), context);
  throw new Error('no kubeconfig: set KUBECONFIG or pass --kubeconfig (or run in a pod with a service account)');
}
