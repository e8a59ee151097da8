import { createHash } from 'node:crypto';

import { RELEASE_LABELS } from '../names.ts';

/** ModuleRelease phases (§5). */
export type ReleasePhase = 'Pending' | 'Deployed' | 'Superseded' | 'Suspended' | 'Skipped' | 'Terminating';

/** The label value naming the embedded policy in the UPDATE POLICY column (§10.6). `""` is read as the same. */
export const EMBEDDED_POLICY_LABEL = 'deckhouse';

/** md5 hex of the channel image digest, the `release-checksum` label value (§5). */
export function releaseChecksum(digest: string): string {
  return createHash('md5').update(digest).digest('hex');
}

/** The `status` label: the lower-case phase for Deployed/Superseded/Suspended/Skipped, none otherwise. */
export function releaseStatusLabel(phase: ReleasePhase | '' | undefined): string | undefined {
  switch (phase) {
    case 'Deployed':
    case 'Superseded':
    case 'Suspended':
    case 'Skipped':
      return phase.toLowerCase();
    default:
      return undefined;
  }
}

export interface ReleaseLabelsInput {
  module: string;
  source: string;
  /** The channel image digest (`sha256:…`) the release was created from. */
  digest: string;
  /** The policy label: a ModuleUpdatePolicy name, or {@link EMBEDDED_POLICY_LABEL}. */
  policyLabel: string;
  phase?: ReleasePhase | '';
}

/** The labels of a ModuleRelease (§5): `module`, `source`, `release-checksum`, update policy and `status`. */
export function releaseLabels(input: ReleaseLabelsInput): Record<string, string> {
  const labels: Record<string, string> = {
    [RELEASE_LABELS.module]: input.module,
    [RELEASE_LABELS.source]: input.source,
    [RELEASE_LABELS.releaseChecksum]: releaseChecksum(input.digest),
    [RELEASE_LABELS.updatePolicy]: input.policyLabel,
  };
  const status = releaseStatusLabel(input.phase);
  if (status !== undefined) labels[RELEASE_LABELS.status] = status;
  return labels;
}

/** `modules.deckhouse.io/registry-spec-checksum`: md5 hex of `spec.registry` as canonical JSON (§1). */
export function registrySpecChecksum(registry: {
  repo: string;
  scheme?: string | undefined;
  dockerCfg?: string | undefined;
  ca?: string | undefined;
}): string {
  const canonical = JSON.stringify({
    repo: registry.repo,
    scheme: registry.scheme ?? 'HTTPS',
    dockerCfg: registry.dockerCfg ?? '',
    ca: registry.ca ?? '',
  });
  return createHash('md5').update(canonical).digest('hex');
}
