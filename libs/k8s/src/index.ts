export {
  V1ALPHA1,
  type OwnerReference,
  type ModuleSource,
  type ModuleSourceStatus,
  type ModuleSourceModuleStatus,
  type Module,
  type ModuleProperties,
  type ModuleConfig,
  type ModuleUpdatePolicy,
  type UpdateWindow,
  type ModuleRelease,
} from './types.ts';
export { loadKubeConfig, kubeConfigFromString } from './kubeconfig.ts';
export { KubeClient, type WatchEvent } from './client.ts';
export { KubeApiError, isNotFound, isConflict } from './errors.ts';
export {
  ModuleSources,
  Modules,
  ModuleConfigs,
  ModuleReleases,
  ModuleUpdatePolicies,
  Leases,
  Pods,
  type ResourceType,
} from './resources.ts';
export { Informer } from './informer.ts';
export { LeaderElector } from './leader-election.ts';
