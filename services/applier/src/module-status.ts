import {
  describeFailure,
  failureConditions,
  installStatus,
  mergeConditions,
  type InstallPhase,
  type ModuleFailure,
} from '@modsync/dkp';
import { isConflict, Modules, type KubeClient, type Module } from '@modsync/k8s';
import type { Writer } from './writer.ts';

/** How the installer reports a module's install phase, and the failure behind phase Error. */
export type InstallStatusReport = (phase: InstallPhase, failure?: ModuleFailure) => Promise<void>;

/**
 * The installer's Module status writes, through the reconcile's {@link Writer} (counted with every other write, in
 * the reconcile's order): phase, READY column, EnabledByModuleManager/IsReady, and the failure table's Stalled and
 * Reconciling conditions (`describeFailure`). Written only when they differ, at the live object's resourceVersion; a
 * conflict reads the object again (up to three times).
 */
export function installStatusReport(
  kube: KubeClient,
  writer: Writer,
  module: string,
  now: () => Date,
): InstallStatusReport {
  return async (phase, failure) => {
    const desired = installStatus(phase, failure ? describeFailure(failure).message : undefined);
    for (let attempt = 0; attempt < 3; attempt++) {
      const live: Module | undefined = await kube.get(Modules, module);
      if (!live) return;
      const patches = [...desired.conditions, ...failureConditions(live.status?.conditions, 'installer', failure)];
      const merged = mergeConditions(live.status?.conditions, patches, now());
      if (live.status?.phase === desired.phase && live.status?.ready === desired.ready && !merged.changed) return;
      try {
        await writer.patch(
          Modules,
          module,
          live.metadata.resourceVersion,
          { status: { phase: desired.phase, ready: desired.ready, conditions: merged.conditions } },
          'status',
        );
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  };
}
