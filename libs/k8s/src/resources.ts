import type {
  DeckhouseObject,
  Module,
  ModuleConfig,
  ModuleRelease,
  ModuleSource,
  ModuleUpdatePolicy,
} from './types.ts';

/** Where a kind lives in the API: /api/v1 (group '') or /apis/<group>/<version>. */
export interface ResourceType<T = unknown> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** Phantom: ties the descriptor to the object type it reads and writes. */
  readonly __type?: T;
}

function deckhouse<T extends DeckhouseObject>(kind: T['kind'], plural: string, version = 'v1alpha1'): ResourceType<T> {
  return { group: 'deckhouse.io', version, kind, plural, namespaced: false };
}

export const ModuleSources = deckhouse<ModuleSource>('ModuleSource', 'modulesources');
export const Modules = deckhouse<Module>('Module', 'modules');
export const ModuleConfigs = deckhouse<ModuleConfig>('ModuleConfig', 'moduleconfigs');
export const ModuleReleases = deckhouse<ModuleRelease>('ModuleRelease', 'modulereleases');
export const ModuleUpdatePolicies = deckhouse<ModuleUpdatePolicy>(
  'ModuleUpdatePolicy',
  'moduleupdatepolicies',
  'v1alpha2',
);

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export const Leases: ResourceType<Lease> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
};

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The collection path, e.g. /apis/deckhouse.io/v1alpha1/modulesources or /apis/coordination.k8s.io/v1/namespaces/ns/leases. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  if (type.namespaced) {
    if (!namespace) throw new TypeError(`${type.kind} is namespaced: a namespace is required`);
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  }
  return `${base}/${type.plural}`;
}

export function objectPath(type: ResourceType, name: string, namespace?: string, subresource?: 'status'): string {
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** Core pods, as far as modsync touches them (the leader's label). */
export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion?: string };
}

export const Pods: ResourceType<Pod> = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
