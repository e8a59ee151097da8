import type { PlatformState, PolicyContext, ResolvedPolicy } from '@modsync/dkp';
import type { KubeClient, Module, ModuleConfig, ModuleRelease, ModuleSource } from '@modsync/k8s';
import type { RegistryClient } from '@modsync/registry';
import type { Logger } from '@modsync/runtime';
import type { ClusterView } from '../cluster-view.ts';
import type { Installer } from '../installer.ts';
import type { EventOverlay, ModuleOffer } from '../offers.ts';
import type { Writer } from '../writer.ts';

/** What every reconcile needs; built once per replica. */
export interface ReconcileDependencies {
  kube: KubeClient;
  view: ClusterView;
  overlay: EventOverlay;
  registry: RegistryClient;
  installer: Installer;
  /** The running platform: deckhouse version (configured), kubernetes version (the API server's `/version`). */
  platform: () => Omit<PlatformState, 'modules'>;
  /** A module with a Pending release is looked at again after this long. */
  pendingRecheckMs: number;
  now?: () => Date;
  signal: AbortSignal;
}

/** One reconcile of one name: what was loaded, what was decided, what was written. */
export interface ReconcileContext {
  name: string;
  now: Date;
  log: Logger;
  writer: Writer;
  config: ModuleConfig | undefined;
  moduleObject: Module | undefined;
  /** The module's releases (not being deleted), kept current as this reconcile writes them. */
  releases: ModuleRelease[];
  /** The sources this replica sees (its selector's). */
  sources: ModuleSource[];
  policy: PolicyContext;
  resolved: ResolvedPolicy;
  /** What each source offers of the module now. */
  offers: ModuleOffer[];
  enabled: boolean;
}

/** What a step asks of the loop: stop here, or come back later. */
export interface StepResult {
  /** Reconcile again after this long (soonest wins). */
  requeueAfterMs?: number | undefined;
}

/** The soonest of two requeues (source-controller's LowestRequeuingResult). */
export function soonest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
