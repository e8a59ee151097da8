import type { SemVer } from 'semver';

import type { ReleasePhase } from '../layout/release-labels.ts';
import { isPatchStep } from '../policy/update-type.ts';
import { parseVersion } from '../version.ts';
import type { HoldReason } from './hold-reasons.ts';
import type { ReleaseInput } from './types.ts';

/** Why a Pending release is Skipped. */
export type SkipReason =
  /** A Deployed release is higher. */
  | 'BelowDeployed'
  /** A higher release is forced. */
  | 'BelowForced'
  /** A higher release of the same major.minor exists: only the newest patch deploys. */
  | 'NewerPatch'
  /** `updateConstraints` jump over it to an endpoint. */
  | 'UpdateConstraints';

/** `status.message` of a Skipped release. */
export function skipMessage(reason: SkipReason): string {
  return reason === 'UpdateConstraints' ? 'skipped by update constraints' : '';
}

/** A release with its parsed version, as the order rules see it. */
export interface OrderedRelease {
  input: ReleaseInput;
  version: SemVer;
  /** `vX.Y.Z`. */
  text: string;
  /** The stored phase (empty read as Pending). */
  phase: ReleasePhase;
}

/** DKP's task for one Pending release (`task_calculator.go`). */
export type OrderTask =
  | { kind: 'Process'; single: boolean; patch: boolean; deployed: OrderedRelease | undefined }
  | { kind: 'Skip'; reason: SkipReason }
  | { kind: 'Await'; hold: HoldReason };

/** What the order rules need to know about the releases below the one being decided, in this same pass. */
export interface LowerState {
  /** The phase this pass gives the release (Skipped when skipped now), else its stored phase. */
  phaseOf(release: OrderedRelease): ReleasePhase;
  /** The version a held release is itself awaiting, to point a chain of waits at its first link. */
  awaitingOf(release: OrderedRelease): string | undefined;
}

function endpointIndex(sorted: readonly OrderedRelease[], deployed: OrderedRelease): number | undefined {
  const constrained = [...sorted]
    .reverse()
    .find((r) => r.phase === 'Pending' && (r.input.updateConstraints?.length ?? 0) > 0);
  if (constrained === undefined) return undefined;
  for (const constraint of constrained.input.updateConstraints ?? []) {
    const from = parseVersion(constraint.from);
    const to = parseVersion(constraint.to);
    if (from === undefined || to === undefined) continue;
    if (deployed.version.compare(from) < 0 || deployed.version.compare(to) >= 0) continue;
    const exact = sorted.findIndex((r) => r.version.compare(to) === 0);
    if (exact !== -1) return exact;
    let best: number | undefined;
    sorted.forEach((r, idx) => {
      if (r.version.major !== to.major || r.version.minor !== to.minor) return;
      const current = best === undefined ? undefined : sorted[best];
      if (current === undefined || current.version.patch < r.version.patch) best = idx;
    });
    if (best !== undefined) return best;
  }
  return undefined;
}

/**
 * The order rules for the Pending release at `index` of `sorted` (all the module's releases, ascending), as DKP's
 * task calculator applies them (§8 Ordering): a single release is processed; one below the highest forced or the
 * Deployed release is skipped; `updateConstraints` skip up to their endpoint; a minor/major bump waits while the
 * previous release is Pending, and when it jumps more than one minor or any major but 0 → 1; a release followed by a
 * newer patch of the same minor is skipped. The LTS 10-minor relaxation is not applied (modules never had it).
 */
export function orderTask(
  sorted: readonly OrderedRelease[],
  index: number,
  deployed: OrderedRelease | undefined,
  forced: OrderedRelease | undefined,
  lower: LowerState,
): OrderTask {
  const release = sorted[index];
  if (release === undefined) throw new RangeError(`no release at index ${index}`);
  if (sorted.length === 1) return { kind: 'Process', single: true, patch: false, deployed };
  if (forced !== undefined && forced.version.compare(release.version) > 0)
    return { kind: 'Skip', reason: 'BelowForced' };
  if (deployed !== undefined && deployed.version.compare(release.version) >= 0) {
    return { kind: 'Skip', reason: 'BelowDeployed' };
  }
  if (deployed !== undefined) {
    const endpoint = endpointIndex(sorted, deployed);
    if (endpoint !== undefined && index < endpoint) return { kind: 'Skip', reason: 'UpdateConstraints' };
    if (endpoint !== undefined && index === endpoint) return { kind: 'Process', single: false, patch: false, deployed };
  }
  let patch = true;
  const previous = index > 0 ? sorted[index - 1] : undefined;
  if (previous !== undefined) {
    const v = release.version;
    const p = previous.version;
    if (!isPatchStep(p, v) || (deployed !== undefined && !isPatchStep(deployed.version, v))) {
      patch = false;
      if (lower.phaseOf(previous) === 'Pending') {
        return {
          kind: 'Await',
          hold: { reason: 'AwaitingRelease', version: lower.awaitingOf(previous) ?? previous.text },
        };
      }
      if (v.major === p.major && v.minor - 1 > p.minor) {
        return { kind: 'Await', hold: { reason: 'MinorVersionStep', previous: previous.text } };
      }
      if (v.major > p.major && !(p.major === 0 && v.major === 1)) {
        return { kind: 'Await', hold: { reason: 'MajorVersionStep', previous: previous.text } };
      }
    }
  }
  const next = sorted[index + 1];
  if (next !== undefined) {
    const v = release.version;
    if (v.major < next.version.major || v.minor < next.version.minor) {
      return { kind: 'Process', single: false, patch, deployed };
    }
    return { kind: 'Skip', reason: 'NewerPatch' };
  }
  return { kind: 'Process', single: false, patch, deployed };
}
