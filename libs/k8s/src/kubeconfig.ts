import { KubeConfig } from '@kubernetes/client-node';

/**
 * Loads a kubeconfig: an explicit file, else $KUBECONFIG / ~/.kube/config / in-cluster service account
 * (client-node's default order).
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`no cluster in kubeconfig${file ? ` ${file}` : ''}: set KUBECONFIG or pass --kubeconfig`);
  return kc;
}

export function kubeConfigFromString(yaml: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
}
