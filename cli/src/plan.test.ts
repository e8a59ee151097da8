import { describe, expect, it } from 'vitest';
import type { ModuleConfig, ModuleRelease, ModuleSource, ModuleUpdatePolicy } from '@modsync/k8s';
import { planModules, type ClusterObjects } from './plan.ts';

const NOW = new Date('2026-12-06T10:00:00Z');

const source = (name: string, modules: { name: string; version: string; policy?: string }[]): ModuleSource => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name },
  spec: { registry: { repo: `r.example/${name}` } },
  status: { modules: modules.map((m) => ({ ...m, checksum: `sha256:${m.name}` })) },
});
const config = (name: string, spec: ModuleConfig['spec']): ModuleConfig => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleConfig',
  metadata: { name },
  spec,
});
const release = (
  module: string,
  version: string,
  phase: 'Deployed' | 'Pending',
  extra: Partial<ModuleRelease['metadata']> = {},
): ModuleRelease => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleRelease',
  metadata: { name: `${module}-${version}`, labels: { module, source: 'main' }, ...extra },
  spec: { moduleName: module, version },
  status: { phase },
});
const canary: ModuleUpdatePolicy = {
  apiVersion: 'deckhouse.io/v1alpha2',
  kind: 'ModuleUpdatePolicy',
  metadata: { name: 'canary' },
  spec: { releaseChannel: 'Alpha', update: { mode: 'Auto' } },
};

const cluster: ClusterObjects = {
  configs: [
    config('deckhouse', { enabled: true, settings: { update: { mode: 'Manual' } } }),
    config('alpha-one', { enabled: true, updatePolicy: 'canary' }),
    config('twice', { enabled: true }),
    config('pinned', { enabled: true, source: 'mirror' }),
    config('off', { enabled: false }),
    config('needs', { enabled: true }),
  ],
  modules: [
    {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'Module',
      metadata: { name: 'alpha-one' },
      properties: { version: 'v0.9.0' },
    },
    {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'Module',
      metadata: { name: 'pinned' },
      properties: { version: 'v3.0.0', source: 'mirror' },
      status: { phase: 'Ready' },
    },
  ],
  releases: [
    release('alpha-one', 'v0.9.0', 'Deployed'),
    release('pinned', 'v3.0.0', 'Deployed'),
    release('needs', 'v1.0.0', 'Deployed'),
    {
      ...release('needs', 'v1.0.1', 'Pending'),
      spec: { moduleName: 'needs', version: 'v1.0.1', requirements: { modules: { 'alpha-one': '>=1.0.0' } } },
    },
    release('off', 'v1.0.0', 'Deployed', { deletionTimestamp: '2026-12-06T09:00:00Z' }),
  ],
  sources: [
    // main holds alpha-one's Alpha version (the syncer resolved the canary policy); twice is offered by both.
    source('main', [
      { name: 'alpha-one', version: 'v0.9.1', policy: 'canary' },
      { name: 'twice', version: 'v1.0.0' },
      { name: 'needs', version: 'v1.0.1' },
    ]),
    source('mirror', [
      { name: 'twice', version: 'v1.0.0' },
      { name: 'pinned', version: 'v3.1.0' },
    ]),
  ],
  policies: [canary],
};

describe('planModules: cluster objects → the plan of each enabled module', () => {
  it('wires policy, offer, conflict rule, releases and platform as the applier does', () => {
    expect(planModules(cluster, { deckhouseVersion: 'v1.70.0', kubernetesVersion: 'v1.36.3' }, NOW)).toEqual([
      {
        module: 'alpha-one',
        source: 'main',
        channel: 'Alpha',
        mode: 'Auto',
        policy: 'canary',
        deployed: 'v0.9.0',
        next: { name: 'alpha-one-v0.9.1', version: 'v0.9.1', exists: false },
        action: 'Deploy',
      },
      // The embedded policy comes from the deckhouse ModuleConfig: Manual, so even a patch waits for approval.
      {
        module: 'deckhouse',
        channel: 'Stable',
        mode: 'Manual',
        policy: 'deckhouse',
        action: 'Hold',
        gate: 'NoSource',
        message: 'no ModuleSource offers the module',
        opensWhen: 'when a ModuleSource offers it',
      },
      {
        module: 'needs',
        source: 'main',
        channel: 'Stable',
        mode: 'Manual',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        next: { name: 'needs-v1.0.1', version: 'v1.0.1', exists: true },
        action: 'Hold',
        gate: 'Requirements',
        message:
          'the "needs" module dependency "alpha-one" does not meet the version constraint: v0.9.0 is less than 1.0.0',
        opensWhen: 'when the platform meets the requirements',
      },
      {
        module: 'pinned',
        source: 'mirror',
        channel: 'Stable',
        mode: 'Manual',
        policy: 'deckhouse',
        deployed: 'v3.0.0',
        next: { name: 'pinned-v3.1.0', version: 'v3.1.0', exists: false },
        action: 'Hold',
        gate: 'ManualApproval',
        message: `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`,
        opensWhen: 'once created, when approved: modsync release approve pinned-v3.1.0',
      },
      {
        module: 'twice',
        channel: 'Stable',
        mode: 'Manual',
        policy: 'deckhouse',
        action: 'Hold',
        gate: 'SourceConflict',
        message: 'several sources offer the module: main, mirror',
        opensWhen: 'when the ModuleConfig’s spec.source names one of them',
      },
    ]);
  });

  it('plans one module when named', () => {
    expect(planModules(cluster, {}, NOW, 'pinned').map((p) => p.module)).toEqual(['pinned']);
  });
});
