import { KubeClient, loadKubeConfig } from '@modsync/k8s';
import type { IO } from './dispatcher.ts';

/** A Kubernetes client from --kubeconfig, $KUBECONFIG, ~/.kube/config or the pod's service account. */
export async function kubeClient(io: IO, file: string | undefined): Promise<KubeClient> {
  return KubeClient.create(loadKubeConfig(file, io.env), { fieldManager: 'modsync-cli', retries: 2 });
}
