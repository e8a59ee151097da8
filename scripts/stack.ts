// The local stack: a real Kubernetes API (etcd, kube-apiserver, kube-controller-manager) with the deckhouse.io CRDs, Redis
// and a registry holding demo modules, until Ctrl-C. Prints how to point kubectl at it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { startEnvironment } from '../test/env/environment.ts';
import { run } from '../test/env/process.ts';
import { ModulePublisher } from '../test/fixtures/publisher.ts';
import { DEMO_MODULES } from '../test/fixtures/demo-modules.ts';

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    'env-file': { type: 'string' },
  },
});
if (values.help) {
  process.stdout.write(`Usage: npm run stack [-- --env-file FILE]

Starts a local modsync stack and keeps it running until Ctrl-C:
  - etcd, kube-apiserver and kube-controller-manager on loopback, with the deckhouse.io CRDs installed
  - Redis (with a password) and an OCI registry, as containers on the host network
  - demo modules published to the registry under <registry>/deckhouse/modules, with a ModuleSource "example" pointing at them

  --env-file FILE   also write the connection details as shell exports to FILE
`);
  process.exit(0);
}

const env = await startEnvironment({ controlPlane: true, redis: { password: true }, registry: true });
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write('\nstopping the stack…\n');
  await env.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const registry = env.info.registry!;
  const repo = `${registry.host}/deckhouse/modules`;
  const client = createRegistryClient();
  const publisher = new ModulePublisher(client, parseRegistrySettings({ repo, scheme: 'HTTP' }), 'deckhouse/modules');
  for (const fixture of DEMO_MODULES) await publisher.publish(fixture);
  await client.close();

  const kubectl = env.info.kubectl!;
  const kubeconfig = env.info.kubeconfig!;
  const source = join(env.info.dir, 'module-source.yaml');
  await writeFile(source, `apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata:
  name: example
spec:
  registry:
    repo: ${repo}
    scheme: HTTP
`);
  await run(kubectl, ['apply', '-f', source], { env: { ...process.env, KUBECONFIG: kubeconfig } });

  const exports = [
    `export KUBECONFIG=${kubeconfig}`,
    `export PATH=${join(kubectl, '..')}:$PATH`,
    `export MODSYNC_REDIS_URL=${env.info.redis!.url}`,
    `export MODSYNC_REGISTRY=${registry.host}`,
  ].join('\n');
  if (values['env-file']) await writeFile(values['env-file'], `${exports}\n`);
  const modules = [...new Set(DEMO_MODULES.map((m) => m.module))].join(', ');
  process.stdout.write(`
modsync local stack is up (logs in ${env.info.logDir}).

  Kubernetes API  ${env.info.apiServer}
  Redis           ${env.info.redis!.url}
  Registry        http://${registry.host}  (demo modules: ${modules}; ModuleSource "example")

Point kubectl at it (in another shell):

${exports}

then follow the guide:

  kubectl get ms
  kubectl get ms example -o yaml
  kubectl get module
  kubectl get mr
  kubectl get moduleconfig

Press Ctrl-C to stop everything.
`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  await stop(1);
}
