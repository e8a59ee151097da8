import { describe, expect, it } from 'vitest';
import type { Module, ModuleConfig } from '@modsync/k8s';
import { moduleContext } from './module-context.ts';

const config = (spec: ModuleConfig['spec']): ModuleConfig => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleConfig',
  metadata: { name: 'm' },
  spec,
});
const module = (availableSources: string[], source?: string): Module => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'Module',
  metadata: { name: 'm' },
  properties: { availableSources, ...(source ? { source } : {}) },
});
const alphaPolicy = { metadata: { name: 'fast' }, spec: { releaseChannel: 'Alpha', update: { mode: 'Auto' } } };

describe('moduleContext', () => {
  it.each([
    [
      'no config: embedded policy, Stable, not in use',
      undefined,
      undefined,
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: false },
    ],
    [
      'deckhouse settings pick the embedded channel',
      undefined,
      undefined,
      [],
      { releaseChannel: 'EarlyAccess' },
      { channel: 'EarlyAccess', policy: '', inUse: false },
    ],
    [
      'a named policy picks its channel',
      config({ updatePolicy: 'fast' }),
      undefined,
      [alphaPolicy],
      undefined,
      { channel: 'Alpha', policy: 'fast', inUse: false },
    ],
    [
      'a missing named policy falls back to the embedded one',
      config({ updatePolicy: 'gone' }),
      undefined,
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: false },
    ],
    [
      'enabled, only this source: in use',
      config({ enabled: true }),
      module(['a']),
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: true },
    ],
    [
      'enabled, two sources, none picked: conflict, not in use',
      config({ enabled: true }),
      module(['a', 'b']),
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: false },
    ],
    [
      'enabled, the config picks this source',
      config({ enabled: true, source: 'a' }),
      module(['a', 'b']),
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: true },
    ],
    [
      'enabled, the config picks another source',
      config({ enabled: true, source: 'b' }),
      module(['a', 'b']),
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: false },
    ],
    [
      'disabled: not in use',
      config({ enabled: false, source: 'a' }),
      module(['a']),
      [],
      undefined,
      { channel: 'Stable', policy: '', inUse: false },
    ],
  ] as const)('%s', (_title, cfg, mod, policies, deckhouseSettings, expected) => {
    expect(
      moduleContext({ source: 'a', module: 'm', config: cfg, moduleObject: mod, policies, deckhouseSettings }),
    ).toEqual(expected);
  });
});
