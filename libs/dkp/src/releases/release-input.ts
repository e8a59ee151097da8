import { RELEASE_LABELS } from '../names.ts';
import type { ReleasePhase } from '../layout/release-labels.ts';
import type { ReleaseInput, ReleaseRequirements, UpdateConstraint } from './types.ts';

/** A ModuleRelease as far as the release decision reads it: a `@modsync/k8s` ModuleRelease passes. */
export interface ModuleReleaseObject {
  metadata: {
    name: string;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    ownerReferences?: readonly { kind: string; name: string }[] | undefined;
  };
  spec: {
    moduleName?: string | undefined;
    version: string;
    applyAfter?: string | undefined;
    requirements?: ReleaseRequirements | undefined;
    updateConstraints?: { versions?: { from?: string; to?: string }[] | undefined } | undefined;
    /** Newer DKP writes updateConstraints under this name (§10.13). */
    update?: { versions?: { from?: string; to?: string }[] | undefined } | undefined;
  };
  status?:
    | { phase?: ReleasePhase | undefined; message?: string | undefined; approved?: boolean | undefined }
    | undefined;
}

/** The module a ModuleRelease belongs to: its `module` label, else `spec.moduleName`. */
export function releaseModule(release: ModuleReleaseObject): string | undefined {
  return release.metadata.labels?.[RELEASE_LABELS.module] ?? release.spec?.moduleName;
}

/** The owning ModuleSource of a release: its controller ownerReference, else the `source` label (§5). */
export function releaseSource(release: ModuleReleaseObject): string | undefined {
  const owner = release.metadata.ownerReferences?.find((o) => o.kind === 'ModuleSource');
  return owner?.name ?? release.metadata.labels?.[RELEASE_LABELS.source];
}

/** A ModuleRelease as `decideReleases` reads it. */
export function toReleaseInput(release: ModuleReleaseObject): ReleaseInput {
  const constraints = (release.spec.updateConstraints ?? release.spec.update)?.versions ?? [];
  const updateConstraints: UpdateConstraint[] = constraints.filter(
    (c): c is { from: string; to: string } => typeof c.from === 'string' && typeof c.to === 'string',
  );
  return {
    name: release.metadata.name,
    version: release.spec.version,
    phase: release.status?.phase,
    message: release.status?.message,
    approved: release.status?.approved,
    source: releaseSource(release),
    policyLabel: release.metadata.labels?.[RELEASE_LABELS.updatePolicy],
    annotations: release.metadata.annotations,
    applyAfter: release.spec.applyAfter,
    requirements: release.spec.requirements,
    ...(updateConstraints.length > 0 ? { updateConstraints } : {}),
  };
}
