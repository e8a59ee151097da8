import type { SemVer } from 'semver';

import { bundleVersions } from '../layout/bundle-versions.ts';
import type { ReleasePhase } from '../layout/release-labels.ts';
import { RELEASE_ANNOTATIONS } from '../names.ts';
import { mustParseVersion, parseVersion } from '../version.ts';

/** Why a release is created (the `modules.deckhouse.io/change-cause` annotation, §5). */
type ChangeCause = 'no releases in cluster' | 'from deployed' | 'from last release in cluster' | 'step-by-step';

interface ReleaseToCreate {
  /** `vX.Y.Z`. */
  version: string;
  cause: ChangeCause;
  /** The annotations to create it with: change-cause, plus apply-now for the module's first release. */
  annotations: Record<string, string>;
}

export interface ReleasesToCreateInput {
  /** Every ModuleRelease of the module in the cluster (any source): version and phase. */
  existing: readonly { version: string; phase?: ReleasePhase | '' | undefined }[];
  /** The version the policy's channel points at (`version.json` of `release:<channel>`). */
  channelVersion: string;
  /** Tags of `R/<module>`; needed only when the chain has a gap (see `NeedBundleTags`). */
  bundleTags?: readonly string[] | undefined;
}

/** The plan for one module and channel version. */
export type ReleasePlan =
  /** Create these releases (each `R/<module>/release:vX.Y.Z` is read for its metadata first). */
  | { kind: 'Create'; releases: ReleaseToCreate[] }
  /** Every release the chain needs already exists. */
  | { kind: 'UpToDate' }
  /** The chain from `from` to `to` has a gap: list the tags of `R/<module>` and call again with `bundleTags`. */
  | { kind: 'NeedBundleTags'; from: string; to: string }
  /** The registry offers no usable versions for the step-by-step chain (DKP's own wording). */
  | {
      kind: 'NoStepVersions';
      message: 'no matched tags in registry' | 'no acceptable for step by step update tags in registry';
    };

/** DKP's `isUpdatingSequence`: `b` is at most one major and at most one minor above `a`. */
function isUpdatingSequence(a: SemVer, b: SemVer): boolean {
  return !(a.major + 1 < b.major) && !(a.minor + 1 < b.minor);
}

function changeCauseAnnotations(cause: ChangeCause, applyNow: boolean): Record<string, string> {
  const annotations: Record<string, string> = { [RELEASE_ANNOTATIONS.changeCause]: `check release (${cause})` };
  if (applyNow) annotations[RELEASE_ANNOTATIONS.applyNow] = 'true';
  return annotations;
}

/** The highest patch of every minor from `actual`'s minor up to `target`'s, ending at `target` (DKP `getNewVersions`). */
function stepVersions(actual: SemVer, target: SemVer, tags: readonly string[]): ReleasePlan | SemVer[] {
  const available = bundleVersions(tags).map((t) => mustParseVersion(t));
  if (available.length === 0) return { kind: 'NoStepVersions', message: 'no matched tags in registry' };
  const key = (v: SemVer): number => v.major * 1_000_000 + v.minor;
  const highestByMinor = new Map<number, SemVer>();
  for (const version of available) {
    if (key(version) < key(actual) || key(version) > key(target)) continue;
    highestByMinor.set(key(version), version);
  }
  const steps = [...highestByMinor.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  // The chain ends exactly at the channel's version.
  if (steps.length > 0 && key(steps[steps.length - 1] as SemVer) === key(target)) steps.pop();
  steps.push(target);
  // The deployed minor's own newest patch is not a step when there is somewhere further to go.
  if (steps.length > 1 && key(steps[0] as SemVer) === key(actual)) steps.shift();
  if (steps.length === 0)
    return { kind: 'NoStepVersions', message: 'no acceptable for step by step update tags in registry' };
  return steps;
}

/**
 * Which releases the source must create for a module whose channel points at `channelVersion` (§9 "Releases
 * created", §11.8). No release in the cluster → only the channel version, with apply-now. Within one minor of the
 * Deployed release (or, with none deployed, the lowest release) → only the channel version. If every release from there
 * up is in sequence and the highest is within one minor → only the channel version. Otherwise step by step: the
 * newest patch of every intermediate minor from the bundle tags, then the channel version. Releases that already
 * exist are left out, so calling this every cycle re-creates a missing link of the chain even when the channel digest
 * did not move (§11.8). Versions at or below the Deployed one are never created.
 */
export function releasesToCreate(input: ReleasesToCreateInput): ReleasePlan {
  const target = mustParseVersion(input.channelVersion);
  const existing = input.existing
    .map((r) => ({ version: parseVersion(r.version), phase: r.phase }))
    .filter((r): r is { version: SemVer; phase: ReleasePhase | '' | undefined } => r.version !== undefined)
    .sort((a, b) => a.version.compare(b.version));
  const exists = (v: SemVer): boolean => existing.some((r) => r.version.compare(v) === 0);

  if (existing.length === 0) {
    return {
      kind: 'Create',
      releases: [
        {
          version: `v${target.version}`,
          cause: 'no releases in cluster',
          annotations: changeCauseAnnotations('no releases in cluster', true),
        },
      ],
    };
  }

  const deployed = existing.filter((r) => r.phase === 'Deployed').at(-1);
  const base = deployed ?? existing[0];
  if (base === undefined) return { kind: 'UpToDate' };
  const fromBase = deployed === undefined ? existing : existing.filter((r) => r.version.compare(base.version) >= 0);

  const plan = (versions: SemVer[], cause: ChangeCause): ReleasePlan => {
    const missing = versions.filter((v) => !exists(v) && (deployed === undefined || v.compare(deployed.version) > 0));
    if (missing.length === 0) return { kind: 'UpToDate' };
    return {
      kind: 'Create',
      releases: missing.map((v) => ({
        version: `v${v.version}`,
        cause,
        annotations: changeCauseAnnotations(cause, false),
      })),
    };
  };

  if (isUpdatingSequence(base.version, target)) return plan([target], 'from deployed');

  let actual = base.version;
  let inSequence = fromBase.length > 1;
  for (let i = 1; i < fromBase.length && inSequence; i += 1) {
    const a = fromBase[i - 1];
    const b = fromBase[i];
    if (a !== undefined && b !== undefined) inSequence = isUpdatingSequence(a.version, b.version);
  }
  if (inSequence) {
    actual = (fromBase[fromBase.length - 1] ?? base).version;
    if (isUpdatingSequence(actual, target)) return plan([target], 'from last release in cluster');
  }

  if (input.bundleTags === undefined)
    return { kind: 'NeedBundleTags', from: `v${actual.version}`, to: `v${target.version}` };
  const steps = stepVersions(actual, target, input.bundleTags);
  if (!Array.isArray(steps)) return steps;
  return plan(steps, 'step-by-step');
}
