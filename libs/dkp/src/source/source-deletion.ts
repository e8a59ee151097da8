import { FINALIZERS, SOURCE_ANNOTATIONS } from '../names.ts';
import { SOURCE_MESSAGE_DELETE_BLOCKED } from './source-status.ts';

/** The finalizers a ModuleSource carries once it has been synced (dkp-contract.md §1). */
export const SOURCE_FINALIZERS: readonly string[] = [FINALIZERS.sourceModuleExists, FINALIZERS.sourceReleaseExists];

/** A Deployed ModuleRelease that names the source being deleted (label `source=<name>`, `status=deployed`). */
interface DeployedReleaseOfSource {
  name: string;
  module: string;
}

export interface SourceDeletionInput {
  /** The source being deleted. */
  source: string;
  /** `metadata.annotations` of the source (`modules.deckhouse.io/force-delete: "true"` bypasses the block). */
  annotations?: Readonly<Record<string, string>> | undefined;
  /** Every Deployed release labelled with this source. */
  deployed: readonly DeployedReleaseOfSource[];
  /** Modules enabled by their ModuleConfig. */
  enabledModules: ReadonlySet<string>;
  /** Module → the other sources (not this one, not being deleted) that offer it now. */
  otherSources: (module: string) => readonly string[];
}

export type SourceDeletion =
  /** An enabled module would be left with no source: phase Terminating, DKP's message, look again later. */
  | { kind: 'Blocked'; message: string; modules: string[] }
  /**
   * The source may go: first take the controller ownerReference off `keep` (Deployed releases of enabled modules, so
   * the garbage collector never deletes what is installed), then remove the finalizers. Every other release of the
   * source is collected with it.
   */
  | { kind: 'Release'; keep: string[]; forced: boolean };

/**
 * Whether a ModuleSource being deleted may go (dkp-contract.md §1 "Deletion"). DKP refuses while any release of the
 * source is Deployed; modsync refuses only while such a release belongs to a module that is enabled and that no other
 * source offers: a module another source offers moves there instead of blocking the deletion. The force annotation
 * always lets the source go. Either way, Deployed releases of enabled modules are kept (orphaned), never collected.
 */
export function decideSourceDeletion(input: SourceDeletionInput): SourceDeletion {
  // DKP compares the value with "true" exactly (no ParseBool here, unlike the release annotations).
  const forced = input.annotations?.[SOURCE_ANNOTATIONS.forceDelete] === 'true';
  const inUse = input.deployed.filter((r) => input.enabledModules.has(r.module));
  const keep = [...new Set(inUse.map((r) => r.name))].sort();
  if (!forced) {
    const stranded = [
      ...new Set(inUse.filter((r) => input.otherSources(r.module).length === 0).map((r) => r.module)),
    ].sort();
    if (stranded.length > 0) return { kind: 'Blocked', message: SOURCE_MESSAGE_DELETE_BLOCKED, modules: stranded };
  }
  return { kind: 'Release', keep, forced };
}

/** The finalizer list without modsync's source finalizers (others' finalizers stay). */
export function withoutSourceFinalizers(finalizers: readonly string[] | undefined): string[] {
  return (finalizers ?? []).filter((f) => !SOURCE_FINALIZERS.includes(f));
}

/** The finalizer list with modsync's source finalizers added, or `undefined` when it already has them. */
export function withSourceFinalizers(finalizers: readonly string[] | undefined): string[] | undefined {
  const current = finalizers ?? [];
  const missing = SOURCE_FINALIZERS.filter((f) => !current.includes(f));
  return missing.length === 0 ? undefined : [...current, ...missing];
}
