import { readFile } from 'node:fs/promises';
import { KubeClient, kubeConfigFromString, loadKubeConfig } from '@modsync/k8s';
import type { IO } from './dispatcher.ts';

/** A Kubernetes client from --kubeconfig, $KUBECONFIG, ~/.kube/config or the pod's service account. */
export async function kubeClient(io: IO, file: string | undefined): Promise<KubeClient> {
  const path = file ?? io.env['KUBECONFIG'];
  const kc = path ? kubeConfigFromString(await readFile(path, 'utf8')) : loadKubeConfig();
  return KubeClient.create(kc, { fieldManager: 'modsync-cli', retries: 2 });
}
