// `modsync plan`: cluster objects → the inputs of libs/dkp's planModule, wired as the applier wires its decision
// (services/applier/src/reconcile/reconcile-name.ts). Pure: the command reads the objects, this decides.
import {
  enabledModuleVersions,
  offeredRelease,
  planModule,
  policyContext,
  policyForLabel,
  releaseModule,
  resolvePolicy,
  selectSource,
  toReleaseInput,
  type ModulePlan,
  type PlatformState,
} from '@modsync/dkp';
import type { Module, ModuleConfig, ModuleRelease, ModuleSource, ModuleUpdatePolicy } from '@modsync/k8s';

export interface ClusterObjects {
  configs: readonly ModuleConfig[];
  modules: readonly Module[];
  releases: readonly ModuleRelease[];
  sources: readonly ModuleSource[];
  policies: readonly ModuleUpdatePolicy[];
}

/** The plan of every enabled module (or of `only`), sorted by name. */
export function planModules(
  cluster: ClusterObjects,
  platform: Omit<PlatformState, 'modules'>,
  now: Date,
  only?: string,
): ModulePlan[] {
  const moduleOf = (name: string) => cluster.modules.find((m) => m.metadata.name === name);
  const deckhouseSettings = cluster.configs.find((c) => c.metadata.name === 'deckhouse')?.spec?.settings;
  const modules = enabledModuleVersions(cluster.configs, (name) => moduleOf(name)?.properties?.version);
  const plans: ModulePlan[] = [];
  for (const config of cluster.configs) {
    const name = config.metadata.name;
    if (config.spec?.enabled !== true || (only !== undefined && name !== only)) continue;
    const policy = policyContext({
      requested: config.spec.updatePolicy,
      policies: cluster.policies,
      deckhouseSettings,
    });
    const channel = resolvePolicy(policy).spec.releaseChannel;
    const channelOf = (policyName: string): string | undefined =>
      policyForLabel(policy, policyName)?.spec.releaseChannel;
    // A source being deleted still offers its modules until it is gone (as the applier sees it).
    const entries = cluster.sources.flatMap((source) => {
      const entry = source.status?.modules?.find((m) => m.name === name);
      return entry ? [{ source: source.metadata.name, entry }] : [];
    });
    const module = moduleOf(name);
    const selection = selectSource({
      enabled: true,
      configSource: config.spec.source,
      currentSource: module?.properties?.source,
      availableSources: entries.map((e) => e.source),
    });
    const selected = selection.kind === 'Selected' ? entries.find((e) => e.source === selection.source) : undefined;
    plans.push(
      planModule({
        module: name,
        policy,
        selection,
        offered: selected ? offeredRelease(selected.entry, channel, channelOf)?.version : undefined,
        releases: cluster.releases
          .filter((r) => releaseModule(r) === name && !r.metadata.deletionTimestamp)
          .map(toReleaseInput),
        moduleReady: module?.status?.phase === 'Ready',
        platform: { ...platform, modules },
        now,
      }),
    );
  }
  return plans.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
}
