import type { ConditionPatch } from './conditions.ts';
import { selectSource, type SourceSelection } from './select-source.ts';

export type ModulePhase =
  | 'Unavailable'
  | 'Available'
  | 'Downloading'
  | 'DownloadingError'
  | 'Reconciling'
  | 'Installing'
  | 'HooksDisabled'
  | 'WaitSyncTasks'
  | 'Downloaded'
  | 'Conflict'
  | 'Ready'
  | 'Error';

/** Condition types of a Module (§2). */
export const MODULE_CONDITIONS = {
  enabledByModuleConfig: 'EnabledByModuleConfig',
  enabledByModuleManager: 'EnabledByModuleManager',
  isReady: 'IsReady',
  isOverridden: 'IsOverridden',
  lastReleaseDeployed: 'LastReleaseDeployed',
} as const;

/** Reasons and messages this module uses (§2, §9, §10.9). */
const MODULE_REASONS = {
  disabled: { reason: 'Disabled', message: 'disabled' },
  turnedOffByModuleConfig: { reason: 'ModuleConfig', message: 'turned off by module config' },
  notInstalled: { reason: 'NotInstalled', message: 'not installed' },
  conflict: { reason: 'Conflict', message: 'several available sources' },
  downloading: { reason: 'Downloading', message: 'downloading' },
} as const;

export interface ModuleStatusInput {
  /** The module's ModuleConfig; absent when there is none. */
  config?: { enabled?: boolean | undefined; source?: string | undefined } | undefined;
  /** The ModuleConfig existed and was deleted (EnabledByModuleConfig becomes Unknown, §11.7). */
  configDeleted?: boolean | undefined;
  /** `properties.source` as stored. */
  currentSource?: string | undefined;
  /** `properties.availableSources`. */
  availableSources: readonly string[];
  /** A release of the module has been deployed (it is or was installed). */
  installed: boolean;
  /** `status.phase` as stored. */
  currentPhase?: ModulePhase | undefined;
  /**
   * Releases of the module exist for its selected source (§2: `Downloading` = from Available/Conflict when releases
   * are created). Absent = false.
   */
  releasesCreated?: boolean | undefined;
}

/** The part of a Module's status that follows from its ModuleConfig and sources. */
export interface ModuleStatusDecision {
  selection: SourceSelection;
  /** Desired `properties.source` (`undefined` = none; `ModuleConfig` deletion clears it, §11.7). */
  source: string | undefined;
  /** Desired phase, or `undefined` to leave it to the release/installer lifecycle. */
  phase: ModulePhase | undefined;
  /** Conditions this rule owns in this state; others are left as they are. */
  conditions: ConditionPatch[];
}

const LIFECYCLE_ENTRY: ReadonlySet<ModulePhase | undefined> = new Set([
  undefined,
  'Available',
  'Conflict',
  'Downloaded',
]);

/**
 * Phase and conditions for the states the domain decides (§2, §9, §10.9):
 * - disabled (no ModuleConfig, or `enabled` not true): `Available` (or `Downloaded` once installed);
 *   EnabledByModuleConfig False `Disabled`/`disabled` (Unknown after the ModuleConfig's deletion);
 *   EnabledByModuleManager False (`ModuleConfig`/`turned off by module config` when `enabled: false`, else no reason,
 *   as the guide shows); IsReady False `NotInstalled`/`not installed`, or the EnabledByModuleManager reason once installed;
 * - enabled with several sources and none chosen: `Conflict`; EnabledByModuleConfig True, EnabledByModuleManager False,
 *   IsReady False `Conflict`/`several available sources`;
 * - enabled with a source (or none at all): EnabledByModuleConfig True; a module entering the lifecycle goes to
 *   `Available` (never installed), `Downloading` (never installed, releases created from its selected source: IsReady
 *   False `Downloading`/`downloading`) or `Reconciling` (installed); later phases are left to the release lifecycle.
 */
export function deriveModuleStatus(input: ModuleStatusInput): ModuleStatusDecision {
  const enabled = input.config?.enabled === true;
  const selection = selectSource({
    enabled,
    configSource: input.config?.source,
    currentSource: input.configDeleted === true ? undefined : input.currentSource,
    availableSources: input.availableSources,
  });
  const source = selection.kind === 'Selected' ? selection.source : undefined;

  if (!enabled) {
    const byConfig: ConditionPatch =
      input.configDeleted === true && input.config === undefined
        ? { type: MODULE_CONDITIONS.enabledByModuleConfig, status: 'Unknown' }
        : { type: MODULE_CONDITIONS.enabledByModuleConfig, status: 'False', ...MODULE_REASONS.disabled };
    const offByConfig = input.config?.enabled === false;
    const byManager: ConditionPatch = offByConfig
      ? { type: MODULE_CONDITIONS.enabledByModuleManager, status: 'False', ...MODULE_REASONS.turnedOffByModuleConfig }
      : { type: MODULE_CONDITIONS.enabledByModuleManager, status: 'False' };
    const ready: ConditionPatch = input.installed
      ? { type: MODULE_CONDITIONS.isReady, status: 'False', reason: byManager.reason, message: byManager.message }
      : { type: MODULE_CONDITIONS.isReady, status: 'False', ...MODULE_REASONS.notInstalled };
    return {
      selection,
      source,
      phase: input.installed ? 'Downloaded' : 'Available',
      conditions: [byConfig, byManager, ready],
    };
  }

  const byConfig: ConditionPatch = { type: MODULE_CONDITIONS.enabledByModuleConfig, status: 'True' };
  if (selection.kind === 'Conflict') {
    return {
      selection,
      source,
      phase: 'Conflict',
      conditions: [
        byConfig,
        { type: MODULE_CONDITIONS.enabledByModuleManager, status: 'False' },
        { type: MODULE_CONDITIONS.isReady, status: 'False', ...MODULE_REASONS.conflict },
      ],
    };
  }
  if (!LIFECYCLE_ENTRY.has(input.currentPhase)) return { selection, source, phase: undefined, conditions: [byConfig] };
  // Re-enabled after an install (Downloaded): Reconciling. From Available or Conflict it is a first install, even when
  // another replica's Deployed release is already visible: Downloading.
  if (input.installed && input.currentPhase === 'Downloaded')
    return { selection, source, phase: 'Reconciling', conditions: [byConfig] };
  if (input.releasesCreated === true && selection.kind === 'Selected') {
    return {
      selection,
      source,
      phase: 'Downloading',
      conditions: [
        byConfig,
        { type: MODULE_CONDITIONS.enabledByModuleManager, status: 'False' },
        { type: MODULE_CONDITIONS.isReady, status: 'False', ...MODULE_REASONS.downloading },
      ],
    };
  }
  return {
    selection,
    source,
    phase: 'Available',
    conditions: [byConfig, { type: MODULE_CONDITIONS.isReady, status: 'False', ...MODULE_REASONS.notInstalled }],
  };
}

/**
 * `status.ready`, the READY column (§10.10): `Error` in phase Error, else the IsReady condition's status, with
 * `Unknown` or a missing condition read as `False`.
 */
export function readyColumn(
  phase: ModulePhase | undefined,
  conditions: readonly { type: string; status: string }[] | undefined,
): 'True' | 'False' | 'Error' {
  if (phase === 'Error') return 'Error';
  const ready = conditions?.find((c) => c.type === MODULE_CONDITIONS.isReady);
  return ready?.status === 'True' ? 'True' : 'False';
}
