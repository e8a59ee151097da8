import { describe, expect, it } from 'vitest';
import type { ModuleConfig, ModuleSource, ModuleUpdatePolicy } from '@modsync/k8s';
import { sourcesAfterConfigChange, sourcesAfterPolicyChange } from './resync-triggers.ts';

const source = (name: string, modules: string[]): ModuleSource => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name },
  spec: { registry: { repo: 'r' } },
  status: { modules: modules.map((m) => ({ name: m })) },
});
const sources = [source('a', ['one', 'two']), source('b', ['two']), source('c', ['three'])];
const config = (name: string, spec: ModuleConfig['spec']): ModuleConfig => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleConfig',
  metadata: { name },
  spec,
});
const policy = (name: string, releaseChannel: 'Stable' | 'Alpha'): ModuleUpdatePolicy => ({
  apiVersion: 'deckhouse.io/v1alpha2',
  kind: 'ModuleUpdatePolicy',
  metadata: { name },
  spec: { releaseChannel, update: { mode: 'Auto' } },
});

describe('sourcesAfterConfigChange', () => {
  it.each([
    ['created enabled: the sources offering it', undefined, config('two', { enabled: true }), ['a', 'b']],
    ['enabled → disabled', config('two', { enabled: true }), config('two', { enabled: false }), ['a', 'b']],
    ['update policy changed', config('one', { updatePolicy: 'x' }), config('one', { updatePolicy: 'y' }), ['a']],
    ['source picked', config('two', { enabled: true }), config('two', { enabled: true, source: 'b' }), ['a', 'b']],
    [
      'only settings changed: none',
      config('one', { enabled: true, settings: { a: 1 } }),
      config('one', { enabled: true, settings: { a: 2 } }),
      [],
    ],
    ['a module no source offers: none', undefined, config('nine', { enabled: true }), []],
    ['deleted', config('three', { enabled: true }), undefined, ['c']],
    [
      'deckhouse channel changed: every source',
      config('deckhouse', { settings: { releaseChannel: 'Stable' } }),
      config('deckhouse', { settings: { releaseChannel: 'Alpha' } }),
      ['a', 'b', 'c'],
    ],
    [
      'deckhouse, other settings: none',
      config('deckhouse', { settings: { releaseChannel: 'Stable', x: 1 } }),
      config('deckhouse', { settings: { releaseChannel: 'Stable', x: 2 } }),
      [],
    ],
  ] as const)('%s', (_t, previous, next, expected) => {
    expect(sourcesAfterConfigChange(previous, next, sources)).toEqual(expected);
  });
});

describe('sourcesAfterPolicyChange', () => {
  const configs = [config('one', { updatePolicy: 'fast' }), config('three', { updatePolicy: 'slow' })];
  it.each([
    ['channel changed: sources of modules using it', policy('fast', 'Stable'), policy('fast', 'Alpha'), ['a']],
    ['channel unchanged: none', policy('fast', 'Stable'), policy('fast', 'Stable'), []],
    ['a new policy in use', undefined, policy('slow', 'Alpha'), ['c']],
    ['a policy nobody uses', policy('idle', 'Stable'), policy('idle', 'Alpha'), []],
  ] as const)('%s', (_t, previous, next, expected) => {
    expect(sourcesAfterPolicyChange(previous, next, configs, sources)).toEqual(expected);
  });
});
