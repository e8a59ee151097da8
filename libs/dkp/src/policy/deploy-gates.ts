import type { UpdateMode } from './types.ts';

/** Which checks stand between a release and its deployment, by mode and kind of step (§8 mode matrix). */
export interface DeployGates {
  /** Nothing deploys (`Ignore`). */
  disabled: boolean;
  /** The `approved` annotation is required. */
  approval: boolean;
  /** Update windows apply. */
  windows: boolean;
  /** A canary `spec.applyAfter` in the future postpones the release. */
  canary: boolean;
}

/**
 * The mode matrix (§8, DKP `deploy_time_checker.go`):
 *
 * | mode      | patch                      | minor / major              |
 * |-----------|----------------------------|----------------------------|
 * | Auto      | windows, canary            | windows, canary            |
 * | AutoPatch | windows, canary            | approval, canary           |
 * | Manual    | approval, canary           | approval                   |
 * | Ignore    | nothing deploys            | nothing deploys            |
 *
 * A "patch" is a release in the same major.minor as both the previous release and the deployed one; the first,
 * single release counts as a minor, as in DKP.
 */
export function deployGates(mode: UpdateMode, step: 'patch' | 'minor'): DeployGates {
  if (mode === 'Ignore') return { disabled: true, approval: false, windows: false, canary: false };
  if (step === 'patch') {
    return { disabled: false, approval: mode === 'Manual', windows: mode !== 'Manual', canary: true };
  }
  return { disabled: false, approval: mode !== 'Auto', windows: mode === 'Auto', canary: mode !== 'Manual' };
}
