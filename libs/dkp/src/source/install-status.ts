import type { ConditionPatch } from './conditions.ts';

/** The phases the installer moves an enabled module through (guide: Downloading → Installing → Ready, or Error). */
export type InstallPhase = 'Downloading' | 'Installing' | 'Ready' | 'Error';

export interface InstallStatus {
  phase: InstallPhase;
  /** The READY column (`status.ready`): IsReady's status, or `Error` in phase Error (dkp-contract.md §10.10). */
  ready: 'True' | 'False' | 'Error';
  conditions: ConditionPatch[];
}

/**
 * Module status for an install phase (dkp-contract.md §2): IsReady False with `Downloading`/`downloading` or
 * `Installing`/`installing` on the way, True when ready, False with reason `Error` and the failure's message on error.
 * EnabledByModuleManager (the ENABLED column) turns True once the module runs, and stays True on a failed install of an
 * enabled module, as the guide's `Error True Error` row shows.
 */
export function installStatus(phase: InstallPhase, message?: string): InstallStatus {
  switch (phase) {
    case 'Downloading':
    case 'Installing':
      return {
        phase,
        ready: 'False',
        conditions: [
          { type: 'EnabledByModuleManager', status: 'False' },
          { type: 'IsReady', status: 'False', reason: phase, message: phase.toLowerCase() },
        ],
      };
    case 'Ready':
      return {
        phase,
        ready: 'True',
        conditions: [
          { type: 'EnabledByModuleManager', status: 'True' },
          { type: 'IsReady', status: 'True' },
        ],
      };
    case 'Error':
      return {
        phase,
        ready: 'Error',
        conditions: [
          { type: 'EnabledByModuleManager', status: 'True' },
          { type: 'IsReady', status: 'False', reason: 'Error', message: message ?? 'error' },
        ],
      };
  }
}
