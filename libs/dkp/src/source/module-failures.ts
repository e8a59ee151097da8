import type { Condition, ConditionPatch } from './conditions.ts';

/**
 * What happens after a failure, as Flux says it with its Reconciling and Stalled conditions:
 * - `Retry`: transient; modsync tries again by itself, with backoff (Reconciling True);
 * - `WaitForChange`: nothing to try until something in the cluster changes (a source appears, a lock is released);
 *   the change brings the module back (neither condition True);
 * - `Stall`: only the user can unblock it (fix the settings, the source, publish a fixed version) (Stalled True).
 */
type FailureNext = 'Retry' | 'WaitForChange' | 'Stall';

/** Which part of the applier reports a failure; each clears only its own. */
export type FailureOwner = 'releases' | 'installer';

export interface FailureRule {
  /** The reason of the Stalled / Reconciling condition. */
  reason: string;
  next: FailureNext;
  owner: FailureOwner;
  /** The message users read (IsReady's message in phase Error, and the condition's), from the failure's detail. */
  message: (detail: string) => string;
}

/** Every failure of a module's releases or install, and what it means for the user (table-tested). */
export const MODULE_FAILURES = {
  /** Creating the module's releases failed (registry read, API write): tried again with backoff. */
  ReleasesNotCreated: {
    reason: 'ReleaseCreationFailed',
    next: 'Retry',
    owner: 'releases',
    message: (d: string) => `create releases: ${d}`,
  },
  /** The Deployed release's source, and any other serving the module, is gone: a source offering it brings it back. */
  SourceNotFound: {
    reason: 'SourceNotFound',
    next: 'WaitForChange',
    owner: 'installer',
    message: (d: string) => `the ModuleSource of release ${d} does not exist`,
  },
  /** The source's registry settings cannot be used: the user fixes the ModuleSource. */
  InvalidRegistrySettings: {
    reason: 'InvalidRegistrySettings',
    next: 'Stall',
    owner: 'installer',
    message: (d: string) => d,
  },
  /** The bundle could not be read for a transient reason (timeout, 5xx, connection): tried again with backoff. */
  DownloadFailed: {
    reason: 'DownloadFailed',
    next: 'Retry',
    owner: 'installer',
    message: (d: string) => `download ${d}`,
  },
  /** The registry refused the bundle (missing, unauthorized): the user publishes it or fixes the credentials. */
  DownloadRefused: {
    reason: 'DownloadRefused',
    next: 'Stall',
    owner: 'installer',
    message: (d: string) => `download ${d}`,
  },
  /** The bundle's module.yaml cannot be read (not YAML, not a mapping, a bad namespace): a fixed version must be published. */
  InvalidModuleDefinition: {
    reason: 'InvalidModuleDefinition',
    next: 'Stall',
    owner: 'installer',
    message: (d: string) => d,
  },
  /** The lint gate refused the bundle: a fixed version must be published. */
  LintRefused: { reason: 'LintGateRefused', next: 'Stall', owner: 'installer', message: (d: string) => d },
  /** The ModuleConfig's settings do not validate: the user fixes them. */
  InvalidSettings: {
    reason: 'InvalidSettings',
    next: 'Stall',
    owner: 'installer',
    message: (d: string) => `invalid settings: ${d}`,
  },
  /** helm failed (or a failure of the same release and settings is in its backoff): tried again with backoff. */
  InstallFailed: { reason: 'InstallFailed', next: 'Retry', owner: 'installer', message: (d: string) => d },
} as const satisfies Record<string, FailureRule>;

type ModuleFailureKind = keyof typeof MODULE_FAILURES;

/** One failure of a module: its kind and the detail (the server's or tool's own message). */
export interface ModuleFailure {
  kind: ModuleFailureKind;
  detail: string;
}

export interface DescribedFailure {
  reason: string;
  message: string;
  next: FailureNext;
}

/** The reason, message and next step of a failure (pure). */
export function describeFailure(failure: ModuleFailure): DescribedFailure {
  const rule: FailureRule = MODULE_FAILURES[failure.kind];
  return { reason: rule.reason, message: rule.message(failure.detail), next: rule.next };
}

/** Condition types of the failure table (Flux's). */
const FAILURE_CONDITIONS = { stalled: 'Stalled', reconciling: 'Reconciling' } as const;

const reasonsOf = (owner: FailureOwner): Set<string> =>
  new Set(
    Object.values(MODULE_FAILURES as Record<string, FailureRule>)
      .filter((r) => r.owner === owner)
      .map((r) => r.reason),
  );

/**
 * The Stalled and Reconciling patches for `owner`'s failure, or `undefined` for its success (pure). A failure sets
 * Stalled True (next step Stall) or Reconciling True (Retry), the other False, both with its reason and message; a
 * WaitForChange failure sets both False with its reason. A success sets both False (reason `Succeeded`) only when one
 * of them is True with a reason of this owner, so a module that never failed carries neither, and the releases step
 * never clears what the installer reported (nor the other way round).
 */
export function failureConditions(
  existing: readonly Condition[] | undefined,
  owner: FailureOwner,
  failure: ModuleFailure | undefined,
): ConditionPatch[] {
  if (failure) {
    const { reason, message, next } = describeFailure(failure);
    return [
      { type: FAILURE_CONDITIONS.stalled, status: next === 'Stall' ? 'True' : 'False', reason, message },
      { type: FAILURE_CONDITIONS.reconciling, status: next === 'Retry' ? 'True' : 'False', reason, message },
    ];
  }
  const own = reasonsOf(owner);
  const held = (existing ?? []).some(
    (c) =>
      (c.type === FAILURE_CONDITIONS.stalled || c.type === FAILURE_CONDITIONS.reconciling) && own.has(c.reason ?? ''),
  );
  if (!held) return [];
  return [
    { type: FAILURE_CONDITIONS.stalled, status: 'False', reason: 'Succeeded' },
    { type: FAILURE_CONDITIONS.reconciling, status: 'False', reason: 'Succeeded' },
  ];
}
