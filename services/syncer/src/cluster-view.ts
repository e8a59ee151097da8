import {
  Informer,
  ModuleConfigs,
  Modules,
  ModuleSources,
  ModuleUpdatePolicies,
  type KubeClient,
  type ModuleConfig,
  type ModuleSource,
} from '@modsync/k8s';
import { moduleContext, type ModuleContext } from './module-context.ts';

/**
 * The syncer's read-only view of the cluster, kept by watches: sources, module configs, update policies and modules.
 * A sync reads it instead of the API server, so an unchanged cycle costs the API server nothing.
 */
export class ClusterView {
  readonly sources: Informer<ModuleSource>;
  readonly configs: Informer<ModuleConfig>;
  readonly policies;
  readonly modules;

  constructor(kube: KubeClient, onError: (err: unknown) => void, sourceSelector?: string) {
    this.sources = new Informer(kube, ModuleSources, { onError, labelSelector: sourceSelector });
    this.configs = new Informer(kube, ModuleConfigs, { onError });
    this.policies = new Informer(kube, ModuleUpdatePolicies, { onError });
    this.modules = new Informer(kube, Modules, { onError });
  }

  async start(): Promise<void> {
    const all = [this.sources, this.configs, this.policies, this.modules];
    for (const informer of all) informer.start();
    await Promise.all(all.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all([this.sources, this.configs, this.policies, this.modules].map((i) => i.stop()));
  }

  moduleContext(source: string, module: string): ModuleContext {
    return moduleContext({
      source,
      module,
      config: this.configs.get(module),
      moduleObject: this.modules.get(module),
      policies: this.policies.list(),
      deckhouseSettings: this.configs.get('deckhouse')?.spec?.settings,
    });
  }
}
