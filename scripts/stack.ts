// The local stack (README's main command): a real Kubernetes API (etcd, kube-apiserver, kube-controller-manager) with the
// deckhouse.io CRDs, Redis, a registry holding demo modules and a ModuleSource "example" for them, and modsync's syncer
// and applier running against it, until Ctrl-C. Given --kubeconfig and --redis, it runs only the two services.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { startEnvironment, type Environment } from '../test/env/environment.ts';
import { run } from '../test/env/process.ts';
import { startService, type RunningService } from '../test/env/services.ts';
import { DEMO_MODULES } from '../test/fixtures/demo-modules.ts';
import { ModulePublisher } from '../test/fixtures/publisher.ts';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    kubeconfig: { type: 'string' },
    redis: { type: 'string' },
    'exports-file': { type: 'string' },
  },
});
if (values.help) {
  process.stdout.write(`Usage: npm run stack [-- --kubeconfig FILE --redis URL] [-- --exports-file FILE]

Without options: starts a local modsync stack and keeps it running until Ctrl-C:
  - etcd, kube-apiserver and kube-controller-manager on loopback, with the deckhouse.io CRDs installed
  - Redis (with a password) and an OCI registry, as containers on the host network
  - demo modules in the registry under <registry>/deckhouse/modules, and a ModuleSource "example" for them
  - modsync's syncer and applier (logs in the stack's folder), the queue dashboard behind a generated password

  --kubeconfig FILE  --redis URL   run only the syncer and applier against an existing cluster and Redis
  --exports-file FILE                  also write the connection details as shell exports to FILE
`);
  process.exit(0);
}
if (Boolean(values.kubeconfig) !== Boolean(values.redis)) {
  process.stderr.write(
    'npm run stack: give both --kubeconfig and --redis (an existing cluster), or neither (a local stack)\n',
  );
  process.exit(2);
}

let env: Environment | undefined;
const services: RunningService[] = [];
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping the stack…\n');
  for (const service of services.reverse()) await service.stop().catch(() => {});
  await env?.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  let kubeconfig: string;
  let redisUrl: string;
  let kubectl = 'kubectl';
  let logDir: string;
  let registryLine = '';
  if (values.kubeconfig && values.redis) {
    kubeconfig = values.kubeconfig;
    redisUrl = values.redis;
    logDir = await mkdtemp(join(tmpdir(), 'modsync-stack-'));
  } else {
    env = await startEnvironment({ controlPlane: true, redis: { password: true }, registry: true });
    kubeconfig = env.info.kubeconfig!;
    redisUrl = env.info.redis!.url;
    kubectl = env.info.kubectl!;
    logDir = env.info.logDir;
    const registry = env.info.registry!;
    const repo = `${registry.host}/deckhouse/modules`;
    const client = createRegistryClient();
    const publisher = new ModulePublisher(client, parseRegistrySettings({ repo, scheme: 'HTTP' }), 'deckhouse/modules');
    for (const fixture of DEMO_MODULES) await publisher.publish(fixture);
    await client.close();
    const manifest = `apiVersion: deckhouse.io/v1alpha1\nkind: ModuleSource\nmetadata:\n  name: example\nspec:\n  registry:\n    repo: ${repo}\n    scheme: HTTP\n`;
    await run(kubectl, ['apply', '-f', '-'], { input: manifest, env: { ...process.env, KUBECONFIG: kubeconfig } });
    const modules = [...new Set(DEMO_MODULES.map((m) => m.module))].join(', ');
    registryLine = `  Registry        http://${registry.host}  (demo modules: ${modules}; ModuleSource "example")\n`;
  }

  const token = randomBytes(16).toString('hex');
  const password = randomBytes(12).toString('hex');
  const common = {
    MODSYNC_REDIS_URL: redisUrl,
    KUBECONFIG: kubeconfig,
    MODSYNC_API_TOKEN: token,
    MODSYNC_DASHBOARD_USER: 'admin',
    MODSYNC_DASHBOARD_PASSWORD: password,
    MODSYNC_MODULE_STORE: join(logDir, '..', 'modules'),
  };
  const syncer = await startService('syncer', { logDir, instance: 'local', env: common });
  services.push(syncer);
  services.push(await startService('applier', { logDir, instance: 'local', env: common }));

  const exports = [
    `export KUBECONFIG=${kubeconfig}`,
    ...(env ? [`export PATH=${dirname(kubectl)}:$PATH`] : []),
    `export MODSYNC_SYNCER_URL=${syncer.url}`,
    `export MODSYNC_API_TOKEN=${token}`,
  ].join('\n');
  if (values['exports-file']) await writeFile(values['exports-file'], `${exports}\n`, { mode: 0o600 });
  process.stdout.write(`
modsync local stack is up (logs in ${logDir}).

${env ? `  Kubernetes API  ${env.info.apiServer}\n  Redis           ${redisUrl.replace(/:[^:@/]+@/, ':***@')}\n${registryLine}` : ''}  Syncer          ${syncer.url}   dashboard ${syncer.url}/dashboard (user admin, password ${password})
  Applier         ${services[1]!.url}

Point kubectl and modsync at it (in another shell):

${exports}

then follow the guide:

  kubectl get ms
  kubectl get module
  kubectl apply -f - <<'YAML'
  apiVersion: deckhouse.io/v1alpha1
  kind: ModuleConfig
  metadata: {name: module-one}
  spec: {enabled: true, source: example}
  YAML
  kubectl get module module-one
  kubectl get mr
  kubectl get moduleconfig
  node cli/src/main.ts resync example

Press Ctrl-C to stop everything.
`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  await stop(1);
}
