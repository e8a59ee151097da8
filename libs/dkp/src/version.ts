import { SemVer } from 'semver';

import { InvalidVersionError } from './errors.ts';

// `1.2.3` or `v1.2.3`, optionally with a prerelease and build part; nothing loose (no `=1.2.3`, no spaces, no `1.2`).
const VERSION_SHAPE = /^v?\d+\.\d+\.\d+(?:[-+].*)?$/;

/** Reads a module version as DKP writes it (`1.2.3` in spec.version) or as tags and names carry it (`v1.2.3`). */
export function parseVersion(input: string): SemVer | undefined {
  if (!VERSION_SHAPE.test(input)) return undefined;
  try {
    return new SemVer(input);
  } catch {
    return undefined;
  }
}

/** Like {@link parseVersion} but throws {@link InvalidVersionError}: for inputs already validated upstream. */
export function mustParseVersion(input: string | SemVer): SemVer {
  if (typeof input !== 'string') return input;
  const parsed = parseVersion(input);
  if (parsed === undefined) throw new InvalidVersionError(input);
  return parsed;
}

/** Writes `vX.Y.Z` (with the prerelease, without build metadata), the form modsync writes everywhere (§10.12). */
export function formatVersion(version: string | SemVer): string {
  return `v${mustParseVersion(version).version}`;
}

/** `vX.Y.Z` for a valid version, `undefined` otherwise. */
export function normalizeVersion(input: string): string | undefined {
  const parsed = parseVersion(input);
  return parsed === undefined ? undefined : `v${parsed.version}`;
}

/** Semver order of two versions written either way; throws on invalid input. */
export function compareVersions(a: string | SemVer, b: string | SemVer): -1 | 0 | 1 {
  return mustParseVersion(a).compare(mustParseVersion(b));
}
