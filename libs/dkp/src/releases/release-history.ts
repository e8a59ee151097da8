import type { ReleasePhase } from '../layout/release-labels.ts';
import { compareVersions } from '../version.ts';

/** Superseded, Suspended and Skipped releases kept per source and module (§8). */
const RELEASE_HISTORY_KEEP = 3;

export interface DeletedRelease {
  name: string;
  /** `History`: beyond the newest three outdated ones; `ModuleDisabled`: a Pending release of a disabled module. */
  reason: 'History' | 'ModuleDisabled';
}

/**
 * Outdated releases to delete: of each source's Superseded/Suspended/Skipped releases of the module, all but the three
 * with the highest versions (§8). Versions must be valid.
 */
export function releasesToDelete(
  releases: readonly { name: string; version: string; phase: ReleasePhase; source?: string | undefined }[],
  keep: number = RELEASE_HISTORY_KEEP,
): DeletedRelease[] {
  const bySource = new Map<string, { name: string; version: string }[]>();
  for (const release of releases) {
    if (release.phase !== 'Superseded' && release.phase !== 'Suspended' && release.phase !== 'Skipped') continue;
    const source = release.source ?? '';
    const list = bySource.get(source) ?? [];
    list.push(release);
    bySource.set(source, list);
  }
  const deleted: DeletedRelease[] = [];
  for (const [, list] of [...bySource].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    list.sort((a, b) => compareVersions(b.version, a.version));
    for (const release of list.slice(keep)) deleted.push({ name: release.name, reason: 'History' });
  }
  return deleted;
}
