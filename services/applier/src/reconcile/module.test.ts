import { describe, expect, it } from 'vitest';
import { embeddedPolicy, resolvePolicy, policyContext } from '@modsync/dkp';
import type { Module, ModuleRelease } from '@modsync/k8s';
import { desiredAvailableSources, desiredProperties, isConfigDeleted, shouldDeleteModule } from './module.ts';

const module = (
  properties: Module['properties'],
  conditions: { type: string; status: 'True' | 'False' | 'Unknown' }[] = [],
): Module => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'Module',
  metadata: { name: 'm' },
  properties,
  status: { conditions },
});

describe('desiredAvailableSources (§9 step 2)', () => {
  it.each([
    {
      why: 'visible offering sources, sorted',
      current: [],
      offering: ['b', 'a'],
      visible: ['a', 'b'],
      deleted: [],
      selective: false,
      want: ['a', 'b'],
    },
    {
      why: 'a visible source that stopped offering is dropped',
      current: ['a', 'b'],
      offering: ['a'],
      visible: ['a', 'b'],
      deleted: [],
      selective: false,
      want: ['a'],
    },
    {
      why: 'no selector: a source nobody sees is gone',
      current: ['a', 'x'],
      offering: ['a'],
      visible: ['a'],
      deleted: [],
      selective: false,
      want: ['a'],
    },
    {
      why: 'selector: another installation’s source is kept',
      current: ['a', 'x'],
      offering: ['a'],
      visible: ['a'],
      deleted: [],
      selective: true,
      want: ['a', 'x'],
    },
    {
      why: 'selector: a source seen deleted is dropped',
      current: ['a', 'x'],
      offering: [],
      visible: [],
      deleted: ['a'],
      selective: true,
      want: ['x'],
    },
  ])('$why', ({ why: _why, want, ...input }) => {
    expect(desiredAvailableSources(input)).toEqual(want);
  });
});

describe('shouldDeleteModule (§9 step 2)', () => {
  it.each([
    { why: 'still offered', m: module({ availableSources: ['a'] }), available: ['a'], want: false },
    {
      why: 'offered by none, not enabled by the manager',
      m: module({}, [{ type: 'EnabledByModuleManager', status: 'False' }]),
      available: [],
      want: true,
    },
    {
      why: 'offered by none but enabled: stays with availableSources []',
      m: module({}, [{ type: 'EnabledByModuleManager', status: 'True' }]),
      available: [],
      want: false,
    },
    { why: 'no Module', m: undefined, available: [], want: false },
  ])('$why', ({ m, available, want }) => {
    expect(shouldDeleteModule(m, available)).toBe(want);
  });
});

describe('isConfigDeleted (§11.7)', () => {
  it.each([
    { why: 'a config exists', config: true, status: 'True' as const, want: false },
    { why: 'never had a config (Disabled)', config: false, status: 'False' as const, want: false },
    { why: 'was enabled by a config that is gone', config: false, status: 'True' as const, want: true },
    { why: 'already Unknown', config: false, status: 'Unknown' as const, want: true },
  ])('$why', ({ config, status, want }) => {
    const ctx = {
      config: config
        ? { apiVersion: 'deckhouse.io/v1alpha1' as const, kind: 'ModuleConfig' as const, metadata: { name: 'm' } }
        : undefined,
      moduleObject: module({}, [{ type: 'EnabledByModuleConfig', status }]),
    };
    expect(isConfigDeleted(ctx)).toBe(want);
  });
});

describe('desiredProperties', () => {
  const resolved = resolvePolicy(policyContext({ policies: [], deckhouseSettings: { releaseChannel: 'Alpha' } }));
  const deployed: ModuleRelease = {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleRelease',
    metadata: { name: 'm-v1.2.3' },
    spec: { moduleName: 'm', version: '1.2.3', weight: 910, requirements: { kubernetes: '> 1.25' } },
  };
  const decision = (source: string | undefined) => ({
    selection: { kind: 'None' as const },
    source,
    phase: undefined,
    conditions: [],
  });

  it('a disabled module shows only its sources (the guide’s Available example)', () => {
    expect(
      desiredProperties(
        { config: undefined, moduleObject: undefined, enabled: false, resolved },
        { available: ['example'], decision: decision(undefined), deployed: undefined },
      ),
    ).toEqual({ availableSources: ['example'] });
  });

  it('enabled and deployed: source, channel, policy, version, weight, requirements', () => {
    const config = {
      apiVersion: 'deckhouse.io/v1alpha1' as const,
      kind: 'ModuleConfig' as const,
      metadata: { name: 'm' },
      spec: { enabled: true, updatePolicy: 'p' },
    };
    expect(
      desiredProperties(
        { config, moduleObject: module({ stage: 'GA' }), enabled: true, resolved },
        { available: ['example'], decision: decision('example'), deployed },
      ),
    ).toEqual({
      stage: 'GA',
      availableSources: ['example'],
      source: 'example',
      updatePolicy: 'p',
      releaseChannel: 'Alpha',
      version: 'v1.2.3',
      weight: 910,
      requirements: { kubernetes: '> 1.25' },
    });
    expect(embeddedPolicy({}).releaseChannel).toBe('Stable');
  });
});
