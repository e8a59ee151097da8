import type { SemVer } from 'semver';

import { mustParseVersion } from '../version.ts';

/** What kind of step `from → to` is. `none` when `to` is not above `from`. */
export type UpdateType = 'major' | 'minor' | 'patch' | 'none';

/**
 * Classifies an upgrade as DKP's mode matrix does (§8): a different major is `major`, a different minor `minor`,
 * anything above within the same major.minor `patch` (prerelease steps included). 0.x minors stay minors: DKP treats
 * 0.1 → 0.2 as a minor update, unlike npm's "breaking" rule. Throws on invalid versions.
 */
export function updateType(from: string | SemVer, to: string | SemVer): UpdateType {
  const a = mustParseVersion(from);
  const b = mustParseVersion(to);
  if (b.compare(a) <= 0) return 'none';
  if (b.major !== a.major) return 'major';
  if (b.minor !== a.minor) return 'minor';
  return 'patch';
}

/** DKP's `isPatchRelease`: same major.minor and a strictly greater patch number. */
export function isPatchStep(from: SemVer, to: SemVer): boolean {
  return to.major === from.major && to.minor === from.minor && to.patch > from.patch;
}
