import type { ReleasePhase } from '../layout/release-labels.ts';

/** `spec.requirements` of a ModuleRelease (§5): semver constraints in Masterminds syntax. */
export interface ReleaseRequirements {
  deckhouse?: string | undefined;
  kubernetes?: string | undefined;
  /** Module name → constraint on its deployed version. */
  modules?: Readonly<Record<string, string>> | undefined;
}

/** One `spec.updateConstraints.versions[]` entry: from a deployed version in [from, to) jump straight to `to`. */
export interface UpdateConstraint {
  from: string;
  to: string;
}

/** A ModuleRelease as the release decision reads it. */
export interface ReleaseInput {
  name: string;
  /** `spec.version`, `1.2.3` or `v1.2.3`. */
  version: string;
  /** `status.phase`; empty or absent for a release nobody has processed yet (read as Pending). */
  phase?: ReleasePhase | '' | undefined;
  /** `status.message` as stored. */
  message?: string | undefined;
  /** `status.approved` as stored. */
  approved?: boolean | undefined;
  /** The owning ModuleSource (ownerReference, else the `source` label). */
  source?: string | undefined;
  /** The `modules.deckhouse.io/update-policy` label; absent = not labelled yet. */
  policyLabel?: string | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
  /** `spec.applyAfter` (canary). */
  applyAfter?: Date | string | undefined;
  requirements?: ReleaseRequirements | undefined;
  /** `spec.updateConstraints.versions` (or the newer `spec.update.versions`, §10.13). */
  updateConstraints?: readonly UpdateConstraint[] | undefined;
}

/** What the cluster runs, for requirement checks. A version left out skips that check. */
export interface PlatformState {
  /** The platform version modsync is configured to report, e.g. `v1.68.3`. */
  deckhouseVersion?: string | undefined;
  /** The API server's `/version` gitVersion, e.g. `v1.30.2`. */
  kubernetesVersion?: string | undefined;
  /**
   * Enabled modules → their deployed version (`v1.2.3`); `undefined` or `""` for an enabled module with nothing
   * deployed. A module absent from the map is not enabled.
   */
  modules?: Readonly<Record<string, string | undefined>> | undefined;
}
