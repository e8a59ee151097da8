import {
  Informer,
  ModuleConfigs,
  ModuleReleases,
  Modules,
  ModuleSources,
  ModuleUpdatePolicies,
  type KubeClient,
  type Module,
  type ModuleConfig,
  type ModuleRelease,
  type ModuleSource,
  type ModuleUpdatePolicy,
} from '@modsync/k8s';
import { releaseModule } from '@modsync/dkp';

/**
 * The applier's view of the cluster, kept by watches (list + watch, re-list on 410): sources (the selected ones),
 * modules, module configs, update policies and module releases. Reconciles read it, never the API server.
 */
export class ClusterView {
  readonly sources: Informer<ModuleSource>;
  readonly modules: Informer<Module>;
  readonly configs: Informer<ModuleConfig>;
  readonly policies: Informer<ModuleUpdatePolicy>;
  readonly releases: Informer<ModuleRelease>;
  /** Sources this replica saw deleted: dropped from `availableSources` even when a selector hides other sources. */
  readonly deletedSources = new Set<string>();
  /** A selector limits the sources: names not seen may belong to another installation and are left alone. */
  readonly selective: boolean;
  private readonly byModule = new Map<string, Map<string, ModuleRelease>>();

  constructor(kube: KubeClient, onError: (err: unknown) => void, sourceSelector?: string) {
    this.selective = sourceSelector !== undefined && sourceSelector !== '';
    this.sources = new Informer(kube, ModuleSources, { onError, labelSelector: sourceSelector });
    this.modules = new Informer(kube, Modules, { onError });
    this.configs = new Informer(kube, ModuleConfigs, { onError });
    this.policies = new Informer(kube, ModuleUpdatePolicies, { onError });
    this.releases = new Informer(kube, ModuleReleases, { onError });
    this.releases.on({
      onUpsert: (release, previous) => {
        const before = previous ? releaseModule(previous) : undefined;
        if (before !== undefined) this.byModule.get(before)?.delete(release.metadata.name);
        const module = releaseModule(release);
        if (module === undefined) return;
        let map = this.byModule.get(module);
        if (!map) {
          map = new Map();
          this.byModule.set(module, map);
        }
        map.set(release.metadata.name, release);
      },
      onDelete: (release) => {
        const module = releaseModule(release);
        if (module !== undefined) this.byModule.get(module)?.delete(release.metadata.name);
      },
    });
    this.sources.on({
      onUpsert: (source) => this.deletedSources.delete(source.metadata.name),
      onDelete: (source) => this.deletedSources.add(source.metadata.name),
    });
  }

  private all() {
    return [this.sources, this.modules, this.configs, this.policies, this.releases];
  }

  async start(): Promise<void> {
    for (const informer of this.all()) informer.start();
    await Promise.all(this.all().map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }

  /** Every ModuleRelease of `module`, any phase, any source. */
  releasesOf(module: string): ModuleRelease[] {
    return [...(this.byModule.get(module)?.values() ?? [])];
  }

  /** Every name a reconcile may concern: modules, module configs, modules the sources offer, releases' modules. */
  allNames(): string[] {
    const names = new Set<string>();
    for (const m of this.modules.list()) names.add(m.metadata.name);
    for (const c of this.configs.list()) names.add(c.metadata.name);
    for (const s of this.sources.list()) for (const m of s.status?.modules ?? []) names.add(m.name);
    for (const [module, releases] of this.byModule) if (releases.size > 0) names.add(module);
    return [...names].sort();
  }
}
