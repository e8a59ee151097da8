import type { SemVer } from 'semver';

import { formatVersion, parseVersion } from '../version.ts';

/** `<module>-vX.Y.Z`, e.g. `module-two-v1.2.5` (§5). The name carries no source, so a source switch reuses it. */
export function releaseName(module: string, version: string | SemVer): string {
  return `${module}-${formatVersion(version)}`;
}

/** Splits `<module>-vX.Y.Z` back; `undefined` when the name has no such suffix. */
export function parseReleaseName(name: string): { module: string; version: string } | undefined {
  const match = /^(.+)-(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(name);
  if (match === null) return undefined;
  const [, module, version] = match;
  if (module === undefined || version === undefined || parseVersion(version) === undefined) return undefined;
  return { module, version };
}
