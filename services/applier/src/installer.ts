import type { Module, ModuleRelease, ModuleSource } from '@modsync/k8s';
import type { InstallStatusReport } from './module-status.ts';

/** What the applier hands the installer for a module with a Deployed release. */
export interface InstallRequest {
  module: string;
  /** The Deployed release (`spec.version` `vX.Y.Z`, weight, requirements). */
  release: ModuleRelease;
  /** The ModuleSource the release comes from (registry settings for the bundle `R/<module>:vX.Y.Z`). */
  source: ModuleSource | undefined;
  /** The Module object as the applier last wrote it. */
  moduleObject: Module | undefined;
  /** Writes the Module's install phase (and the failure behind Error) through the reconcile's writer. */
  status: InstallStatusReport;
}

/**
 * The boundary with deployment (services/applier/README.md "Installing"). The applier decides WHICH release is Deployed and writes that decision
 * (release phases, Module `properties.version/source/releaseChannel/weight/requirements`). Making it real — pulling
 * the bundle, verifying digests, `helm upgrade --install`, and moving the Module through `Downloading → Installing →
 * Ready | Error` with EnabledByModuleManager/IsReady/`status.ready` — is the installer's.
 *
 * `ensure` is level-triggered: it is called on every reconcile of a module that has a Deployed release (a restart
 * calls it again), so an implementation compares with what it has installed and does nothing when it matches. It owns
 * the Module phases after `Downloading`; the applier leaves any phase other than Available, Conflict, Downloaded and
 * its own entry into Downloading alone. It writes Module status only through `request.status` (the reconcile's writer:
 * one writer of Module status, counted and ordered with the reconcile's other writes), naming the failure behind an
 * Error (`ModuleFailure`, whose reason and next step the failure table gives). Throwing makes the module's reconcile
 * retry with backoff.
 */
export interface Installer {
  ensure(request: InstallRequest, signal: AbortSignal): Promise<InstallResult | undefined>;
  /** A module disabled: uninstall what was installed (nothing to do, and no helm call, when nothing was). */
  remove?(module: string, signal: AbortSignal): Promise<InstallResult | undefined>;
}

/** What `ensure` or `remove` found that the reconcile must act on. */
export interface InstallResult {
  /** The ModuleConfig's `Error: <validation error>` (§3). */
  settingsError?: string | undefined;
  /** Look at the module again after this long (another replica was installing it: it may die before finishing). */
  requeueAfterMs?: number | undefined;
}

/** Without an installer nothing is installed; the Module stays `Downloading` after its releases are created. */
export const noopInstaller: Installer = {
  async ensure() {},
};
