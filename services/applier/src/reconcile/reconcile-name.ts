import { enabledModuleVersions, policyContext, policyForLabel, releaseSource, resolvePolicy } from '@modsync/dkp';
import { Modules, type ModuleSource } from '@modsync/k8s';
import type { Logger } from '@modsync/runtime';
import { offerOf, type ModuleOffer } from '../offers.ts';
import type { Writer, WriteRecord } from '../writer.ts';
import type { InstallResult } from '../installer.ts';
import { installStatusReport } from '../module-status.ts';
import { soonest, type ReconcileContext, type ReconcileDependencies } from './context.ts';
import { decideModuleStatus, desiredAvailableSources, reconcileModule, shouldDeleteModule } from './module.ts';
import { reconcileModuleConfig } from './module-config.ts';
import { reconcileReleases } from './module-release.ts';

/** What one reconcile of a name did. */
export interface ReconcileReport {
  name: string;
  writes: WriteRecord[];
  requeueAfterMs?: number | undefined;
}

function load(deps: ReconcileDependencies, name: string, log: Logger, writer: Writer): ReconcileContext {
  const { view } = deps;
  const config = view.configs.get(name);
  const policy = policyContext({
    requested: config?.spec?.updatePolicy,
    policies: view.policies.list(),
    deckhouseSettings: view.configs.get('deckhouse')?.spec?.settings,
  });
  const resolved = resolvePolicy(policy);
  // A source being deleted stays until the syncer lets it go: it keeps serving (and installing) its modules meanwhile,
  // as in DKP, where it leaves `availableSources` only when its finalizer comes off (dkp-contract.md §1 "Deletion").
  const sources = view.sources.list();
  const channelOf = (policyName: string): string | undefined => policyForLabel(policy, policyName)?.spec.releaseChannel;
  const offers = sources
    .map((source: ModuleSource) =>
      offerOf({
        source,
        module: name,
        channel: resolved.spec.releaseChannel,
        channelOf,
        event: deps.overlay.get(
          source.metadata.name,
          name,
          source.status?.modules?.find((m) => m.name === name),
        ),
      }),
    )
    .filter((o): o is ModuleOffer => o !== undefined);
  return {
    name,
    now: (deps.now ?? (() => new Date()))(),
    log,
    writer,
    config,
    moduleObject: view.modules.get(name),
    releases: view.releasesOf(name).filter((r) => !r.metadata.deletionTimestamp),
    sources,
    policy,
    resolved,
    offers,
    enabled: config?.spec?.enabled === true,
  };
}

/** Enabled modules → deployed version (`properties.version`), for module requirements (§8). */
function platformModules(deps: ReconcileDependencies): Record<string, string | undefined> {
  return enabledModuleVersions(deps.view.configs.list(), (name) => deps.view.modules.get(name)?.properties?.version);
}

/**
 * Reconciles everything named `name` (style.md "Reconciler layout"): load from the cluster view, guard (a module no
 * source offers any more), then the ordered steps — releases, Module, installer, ModuleConfig status — each writing
 * only what differs. Level-triggered: the same cluster state twice gives no write the second time.
 */
export async function reconcileName(
  deps: ReconcileDependencies,
  name: string,
  log: Logger,
  writer: Writer,
): Promise<ReconcileReport> {
  const ctx = load(deps, name, log, writer);
  const report = (requeueAfterMs?: number): ReconcileReport => ({ name, writes: writer.records, requeueAfterMs });
  const available = desiredAvailableSources({
    current: ctx.moduleObject?.properties?.availableSources ?? [],
    offering: ctx.offers.map((o) => o.source),
    visible: ctx.sources.map((s) => s.metadata.name),
    deleted: [...deps.view.deletedSources],
    selective: deps.view.selective,
  });

  // Guard: no source offers the module (§9 step 2).
  if (available.length === 0 && !ctx.moduleObject) {
    await reconcileModuleConfig(ctx, false);
    return report();
  }
  if (shouldDeleteModule(ctx.moduleObject, available)) {
    await writer.delete(Modules, name);
    ctx.log.info({ reason: 'NoSource' }, 'module deleted: no source offers it');
    ctx.moduleObject = undefined;
    await reconcileModuleConfig(ctx, false);
    return report();
  }

  const selection = decideModuleStatus(ctx, available, false, false).selection;
  const releases = await reconcileReleases(deps, ctx, { selection, platformModules: platformModules(deps) });
  const decision = decideModuleStatus(ctx, available, releases.deployedBefore, ctx.releases.length > 0);
  const module = await reconcileModule(ctx, {
    available,
    decision,
    deployed: releases.deployed,
    failure: releases.failure,
  });
  let installed: InstallResult | undefined;
  if (releases.deployed && ctx.enabled) {
    // The bundle comes from the release's own source; once that is gone, from the source the module is served from.
    const from = releaseSource(releases.deployed);
    const source =
      ctx.sources.find((s) => s.metadata.name === from) ??
      (selection.kind === 'Selected' ? ctx.sources.find((s) => s.metadata.name === selection.source) : undefined);
    const status = installStatusReport(deps.kube, writer, name, deps.now ?? (() => new Date()));
    installed = await deps.installer.ensure(
      { module: name, release: releases.deployed, source, moduleObject: module, status },
      deps.signal,
    );
  } else if (!ctx.enabled) {
    installed = await deps.installer.remove?.(name, deps.signal);
  }
  await reconcileModuleConfig(ctx, true, installed?.settingsError ?? undefined);
  return report(soonest(releases.requeueAfterMs, installed?.requeueAfterMs));
}
