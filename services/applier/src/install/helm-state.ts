/** One revision of a Helm release (`helm history -o json`). */
export interface HelmRevision {
  revision: number;
  /** `deployed`, `superseded`, `failed`, `pending-install`, `pending-upgrade`, `pending-rollback`, `uninstalling`, … */
  status: string;
  description: string;
}

/** What to do with a module's Helm release before (or instead of) installing, decided from its history. */
export type HelmAction =
  /** The deployed revision was made from exactly the wanted fingerprint: nothing to download or install. */
  | { kind: 'current' }
  | { kind: 'install' }
  /** An interrupted operation (the caller holds the module's lock, so nobody runs it): back to the last deployed revision. */
  | { kind: 'rollback'; status: string; revision: number; to: number }
  /** An interrupted operation with nothing deployed before it: remove the release, then install afresh. */
  | { kind: 'uninstall'; status: string; revision: number };

/** Statuses helm leaves while an operation runs; helm refuses any other operation until they change. */
const INTERRUPTIBLE = new Set(['pending-install', 'pending-upgrade', 'pending-rollback', 'uninstalling']);

/**
 * Decides from the release's history and the wanted fingerprint (the description modsync gives its installs). Only
 * valid under the module's install lock: a pending status then means its operation was interrupted.
 */
export function decideHelmAction(history: readonly HelmRevision[], wanted: string): HelmAction {
  const sorted = [...history].sort((a, b) => b.revision - a.revision);
  const latest = sorted[0];
  if (!latest) return { kind: 'install' };
  if (INTERRUPTIBLE.has(latest.status)) {
    const deployed =
      latest.status === 'uninstalling'
        ? undefined
        : sorted.find((r) => r.revision < latest.revision && r.status === 'deployed');
    return deployed
      ? { kind: 'rollback', status: latest.status, revision: latest.revision, to: deployed.revision }
      : { kind: 'uninstall', status: latest.status, revision: latest.revision };
  }
  return latest.status === 'deployed' && latest.description === wanted ? { kind: 'current' } : { kind: 'install' };
}

/** The failure record of a helm install that failed, given the module's previous record. */
export interface FailedInstall {
  fingerprint: string;
  message: string;
  attempts: number;
  /** Epoch milliseconds before which the same fingerprint is not installed again. */
  until: number;
}

/** First retry after 30 s, doubling to 10 min: a module whose workload never comes up stays in Error, not flapping. */
const BACKOFF_FIRST_MS = 30_000;
const BACKOFF_MAX_MS = 600_000;

/** The record after a failed install of `fingerprint`: attempts count on only while the fingerprint stays the same. */
export function failedInstall(
  previous: FailedInstall | undefined,
  fingerprint: string,
  message: string,
  nowMs: number,
): FailedInstall {
  const attempts = (previous?.fingerprint === fingerprint ? previous.attempts : 0) + 1;
  return {
    fingerprint,
    message,
    attempts,
    until: nowMs + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempts - 1)),
  };
}

/** The failure that still holds back an install of `fingerprint` at `nowMs`, if any. */
export function backingOff(
  record: FailedInstall | undefined,
  fingerprint: string,
  nowMs: number,
): FailedInstall | undefined {
  return record?.fingerprint === fingerprint && nowMs < record.until ? record : undefined;
}
