import { KubeClient, loadKubeConfig } from '@modsync/k8s';
import type { IO } from './dispatcher.ts';

/** A Kubernetes client from --kubeconfig, $KUBECONFIG (all files merged), ~/.kube/config or the pod's service account; --context picks the context. */
export async function kubeClient(io: IO, file: string | undefined, context?: string): Promise<KubeClient> {
  return KubeClient.create(loadKubeConfig(file, io.env, context), { fieldManager: 'modsync-cli', retries: 2 });
}
