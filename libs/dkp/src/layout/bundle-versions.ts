import type { SemVer } from 'semver';

import { parseVersion } from '../version.ts';

/** Only tags of exactly this shape are bundle versions (§7). */
const BUNDLE_VERSION_TAG = /^v(\d+)\.(\d+)\.(\d+)$/;

/**
 * The bundle versions among the tags of `R/<module>`: tags matching `^v(\d+)\.(\d+)\.(\d+)$` that are also valid
 * semver (so `v01.2.3` is out), de-duplicated, ascending, written `vX.Y.Z`.
 */
export function bundleVersions(tags: readonly string[]): string[] {
  const versions = new Map<string, SemVer>();
  for (const tag of tags) {
    if (!BUNDLE_VERSION_TAG.test(tag)) continue;
    const version = parseVersion(tag);
    if (version !== undefined) versions.set(version.version, version);
  }
  return [...versions.values()].sort((a, b) => a.compare(b)).map((v) => `v${v.version}`);
}
