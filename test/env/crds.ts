import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { run } from './process.ts';

const CRD_DIRECTORY = join(REPO_ROOT, 'infra/crds');

/** Applies infra/crds with the real kubectl (server-side) and waits until every CRD is Established. */
export async function installCrds(kubectl: string, kubeconfig: string): Promise<void> {
  const env = { ...process.env, KUBECONFIG: kubeconfig };
  await run(
    kubectl,
    ['apply', '--server-side', '--force-conflicts', '--field-manager', 'modsync', '-f', CRD_DIRECTORY],
    { env },
  );
  await run(kubectl, ['wait', '--for', 'condition=Established', '--timeout', '60s', '-f', CRD_DIRECTORY], { env });
}
