import { RELEASE_LABELS, SOURCE_FINALIZERS, decideSourceDeletion, withoutSourceFinalizers } from '@modsync/dkp';
import {
  ModuleReleases,
  ModuleSources,
  isNotFound,
  type KubeClient,
  type ModuleRelease,
  type ModuleSource,
} from '@modsync/k8s';
import type { Logger } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';

/** DKP looks at a ModuleSource being deleted again after this long while it is blocked (dkp-contract.md §1). */
export const DELETION_RECHECK_MS = 5_000;

/** What one look at a ModuleSource being deleted did. */
export interface DeletionReport {
  source: string;
  outcome: 'Blocked' | 'Released' | 'NotOurs';
  /** Modules that hold the deletion (enabled, no other source). */
  modules?: string[];
  /** Deployed releases of modules that are not enabled, deleted with the source. */
  collected?: string[];
  /** Deployed releases of enabled modules, kept (their ownerReference to the source taken off). */
  kept?: string[];
  forced?: boolean;
  statusWritten: boolean;
}

function module(release: ModuleRelease): string {
  return release.metadata.labels?.[RELEASE_LABELS.module] ?? release.spec.moduleName;
}

/** The sources other than `source`, not being deleted, that offer `module` now (visible ones, and `availableSources`). */
function otherSources(view: ClusterView, source: string, name: string): string[] {
  const deleting = new Set(
    view.sources
      .list()
      .filter((s) => s.metadata.deletionTimestamp)
      .map((s) => s.metadata.name),
  );
  const offering = view.sources
    .list()
    .filter((s) => (s.status?.modules ?? []).some((m) => m.name === name))
    .map((s) => s.metadata.name);
  const available = view.modules.get(name)?.properties?.availableSources ?? [];
  return [...new Set([...offering, ...available])].filter((s) => s !== source && !deleting.has(s)).sort();
}

/**
 * A ModuleSource being deleted (dkp-contract.md §1 "Deletion"), under the source's sync lock: phase `Terminating`;
 * while an enabled module it serves has no other source, DKP's message and nothing else (looked at again every
 * {@link DELETION_RECHECK_MS}); else Deployed releases of enabled modules lose their ownerReference (kept), those of
 * modules not enabled are deleted, and modsync's finalizers come off so the API server removes the source and its
 * garbage collector the remaining releases. The applier then drops the source from every Module's `availableSources`.
 */
export async function finalizeSource(
  kube: KubeClient,
  view: ClusterView,
  source: ModuleSource,
  log: Logger,
): Promise<DeletionReport> {
  const name = source.metadata.name;
  if (!(source.metadata.finalizers ?? []).some((f) => SOURCE_FINALIZERS.includes(f)))
    return { source: name, outcome: 'NotOurs', statusWritten: false };

  const deployed = (
    await kube.list(ModuleReleases, {
      labelSelector: `${RELEASE_LABELS.source}=${name},${RELEASE_LABELS.status}=deployed`,
    })
  ).items;
  const enabledModules = new Set(
    view.configs
      .list()
      .filter((c) => c.spec?.enabled === true)
      .map((c) => c.metadata.name),
  );
  const decision = decideSourceDeletion({
    source: name,
    annotations: source.metadata.annotations,
    deployed: deployed.map((r) => ({ name: r.metadata.name, module: module(r) })),
    enabledModules,
    otherSources: (m) => otherSources(view, name, m),
  });

  const status = source.status ?? {};
  const message = decision.kind === 'Blocked' ? decision.message : status.message;
  let resourceVersion = source.metadata.resourceVersion;
  let statusWritten = false;
  if (status.phase !== 'Terminating' || status.message !== message) {
    const patched = await kube.mergePatch(
      ModuleSources,
      name,
      {
        metadata: { resourceVersion },
        status: { phase: 'Terminating', ...(message !== undefined ? { message } : {}) },
      },
      { subresource: 'status' },
    );
    resourceVersion = patched.metadata.resourceVersion;
    statusWritten = true;
  }
  if (decision.kind === 'Blocked') {
    if (statusWritten)
      log.info(
        { reason: 'DeletionBlocked', modules: decision.modules },
        'source deletion waits: enabled modules have no other source',
      );
    return { source: name, outcome: 'Blocked', modules: decision.modules, statusWritten };
  }

  const keep = new Set(decision.keep);
  const kept: string[] = [];
  const collected: string[] = [];
  for (const release of deployed) {
    const releaseName = release.metadata.name;
    if (!keep.has(releaseName)) {
      if (await kube.delete(ModuleReleases, releaseName)) collected.push(releaseName);
      continue;
    }
    kept.push(releaseName);
    // The applier takes the ownerReference off a release when it deploys it; one still carrying it (deployed by an
    // older applier) is orphaned here so the garbage collector leaves it.
    const refs = release.metadata.ownerReferences ?? [];
    const others = refs.filter((o) => !(o.kind === 'ModuleSource' && o.name === name));
    if (others.length === refs.length) continue;
    try {
      await kube.mergePatch(ModuleReleases, releaseName, {
        metadata: { resourceVersion: release.metadata.resourceVersion, ownerReferences: others },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  await kube.mergePatch(ModuleSources, name, {
    metadata: { resourceVersion, finalizers: withoutSourceFinalizers(source.metadata.finalizers) },
  });
  log.info({ reason: decision.forced ? 'ForceDeleted' : 'Deleted', kept, collected }, 'source released for deletion');
  return { source: name, outcome: 'Released', kept, collected, forced: decision.forced, statusWritten };
}
