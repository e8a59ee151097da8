import { formatKubeTime } from '../windows/format-time.ts';
import { mergeConditions, type Condition, type ConditionPatch } from './conditions.ts';

/** `status.message` of a ModuleSource after a clean sync (§10.1: the guide shows `Ready`). */
const SOURCE_MESSAGE_READY = 'Ready';
/** `status.message` when a module the cluster uses failed to sync (§1). */
const SOURCE_MESSAGE_ERRORS = 'Some errors occurred. Inspect status for details';
/** `status.message` while deletion waits for Deployed releases (§1). */
export const SOURCE_MESSAGE_DELETE_BLOCKED =
  'The source contains at least 1 deployed release and cannot be deleted. Please delete target ModuleReleases manually to continue';
/** The ModuleSource's one condition: did the last sync succeed (modsync's; DKP has only `message`, §1). */
const SOURCE_CONDITION_READY = 'Ready';
/** Reasons of the Ready condition. */
const SOURCE_REASONS = {
  /** The last sync listed the source and read every module in use. */
  synced: 'Synced',
  /** The last sync could not read a module in use (its `pullError` says why). */
  pullErrors: 'PullErrors',
  /** The last sync could not list the source or build its registry client: the message is the error. */
  syncFailed: 'SyncFailed',
  /**
   * The registry host's circuit breaker is open after repeated 429/5xx or transport failures: the sync sent no request;
   * the message says until when.
   */
  registryPaused: 'RegistryPaused',
} as const;
/** `version` of a module whose channel image could not be read (§1). */
export const UNKNOWN_VERSION = 'unknown';

interface SourceModuleStatus {
  name: string;
  version?: string | undefined;
  checksum?: string | undefined;
  pullError?: string | undefined;
  error?: string | undefined;
  policy?: string | undefined;
  overridden?: boolean | undefined;
}

export interface SourceStatus {
  syncTime?: string | undefined;
  phase?: 'Active' | 'Terminating' | undefined;
  modulesCount?: number | undefined;
  message?: string | undefined;
  modules?: SourceModuleStatus[] | undefined;
  conditions?: Condition[] | undefined;
}

/** What one sync found for one module. */
export interface ModuleSyncResult {
  name: string;
  /** `vX.Y.Z` from the channel image; absent after a failed fetch. */
  version?: string | undefined;
  /** Digest of the channel image. */
  checksum?: string | undefined;
  /** The {@link pullErrorText} of a failed fetch. */
  pullError?: string | undefined;
  /** Policy name (`""` for the embedded policy). */
  policy?: string | undefined;
  overridden?: boolean | undefined;
  /**
   * The module is enabled and served from this source. Only such modules' errors set the summary message (§10.16);
   * errors of others are recorded all the same.
   */
  inUse: boolean;
}

/** The outcome of one sync of a ModuleSource. */
export type SourceSyncOutcome =
  | { kind: 'Synced'; modules: readonly ModuleSyncResult[] }
  /** Registry client creation or tag listing failed: the message is the error, modules stay as they were (§1). */
  | { kind: 'Failed'; error: string; registryPaused?: boolean | undefined };

/**
 * The ModuleSource status after a sync (§1, §9 step 4, §10.1, §10.3, §10.16). A failed listing keeps phase and
 * modules and sets the error as message. A sync lists every module by name with `version` (`unknown` after a failed
 * fetch), `checksum`, `pullError` and `error` (the same text), `policy`, `overridden`; message `Ready`, or the error
 * summary when a module in use failed. A Terminating source stays Terminating. The Ready condition says whether the
 * last sync succeeded; with `syncTime` (rewritten by every sync) it says when the last sync failed, and its
 * `lastTransitionTime` since when syncs fail.
 */
export function summarizeSourceStatus(
  previous: SourceStatus | undefined,
  outcome: SourceSyncOutcome,
  now: Date,
): SourceStatus {
  const syncTime = formatKubeTime(now);
  const ready = (patch: Omit<ConditionPatch, 'type'>) =>
    mergeConditions(previous?.conditions, [{ type: SOURCE_CONDITION_READY, ...patch }], now).conditions;
  if (outcome.kind === 'Failed') {
    const reason = outcome.registryPaused === true ? SOURCE_REASONS.registryPaused : SOURCE_REASONS.syncFailed;
    return {
      ...previous,
      syncTime,
      message: outcome.error,
      conditions: ready({ status: 'False', reason, message: outcome.error }),
    };
  }
  const modules = [...outcome.modules]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((m): SourceModuleStatus => {
      const status: SourceModuleStatus = { name: m.name, version: m.version ?? UNKNOWN_VERSION };
      if (m.checksum !== undefined && m.checksum !== '') status.checksum = m.checksum;
      if (m.pullError !== undefined && m.pullError !== '') {
        status.pullError = m.pullError;
        status.error = m.pullError;
      }
      status.policy = m.policy ?? '';
      if (m.overridden === true) status.overridden = true;
      return status;
    });
  const failed = outcome.modules.some((m) => m.inUse && m.pullError !== undefined && m.pullError !== '');
  return {
    phase: previous?.phase === 'Terminating' ? 'Terminating' : 'Active',
    syncTime,
    modulesCount: modules.length,
    message: failed ? SOURCE_MESSAGE_ERRORS : SOURCE_MESSAGE_READY,
    modules,
    conditions: failed
      ? ready({ status: 'False', reason: SOURCE_REASONS.pullErrors, message: SOURCE_MESSAGE_ERRORS })
      : ready({ status: 'True', reason: SOURCE_REASONS.synced }),
  };
}

export type SourceStatusField = 'phase' | 'message' | 'modulesCount' | 'modules' | 'conditions';

function sameModule(a: SourceModuleStatus, b: SourceModuleStatus): boolean {
  return (
    a.name === b.name &&
    (a.version ?? '') === (b.version ?? '') &&
    (a.checksum ?? '') === (b.checksum ?? '') &&
    (a.pullError ?? '') === (b.pullError ?? '') &&
    (a.error ?? '') === (b.error ?? '') &&
    (a.policy ?? '') === (b.policy ?? '') &&
    (a.overridden ?? false) === (b.overridden ?? false)
  );
}

/**
 * Which status fields differ, ignoring `syncTime` (it moves every cycle: an unchanged cycle writes it alone) and the
 * conditions' timestamps. Absent and empty values compare equal.
 */
export function diffSourceStatus(
  previous: SourceStatus | undefined,
  next: SourceStatus,
): { changed: boolean; fields: SourceStatusField[] } {
  const fields: SourceStatusField[] = [];
  if ((previous?.phase ?? '') !== (next.phase ?? '')) fields.push('phase');
  if ((previous?.message ?? '') !== (next.message ?? '')) fields.push('message');
  if ((previous?.modulesCount ?? 0) !== (next.modulesCount ?? 0)) fields.push('modulesCount');
  const a = previous?.modules ?? [];
  const b = next.modules ?? [];
  if (a.length !== b.length || a.some((m, i) => !sameModule(m, b[i] as SourceModuleStatus))) fields.push('modules');
  const c = previous?.conditions ?? [];
  const d = next.conditions ?? [];
  const sameCondition = (x: Condition, y: Condition | undefined) =>
    y !== undefined &&
    x.type === y.type &&
    x.status === y.status &&
    (x.reason ?? '') === (y.reason ?? '') &&
    (x.message ?? '') === (y.message ?? '');
  if (c.length !== d.length || c.some((x, i) => !sameCondition(x, d[i]))) fields.push('conditions');
  return { changed: fields.length > 0, fields };
}
