import { describe, expect, it } from 'vitest';

import { diffSourceStatus, summarizeSourceStatus, type ModuleSyncResult, type SourceStatus } from './source-status.ts';

const NOW = new Date('2026-11-23T12:00:00.250Z');
const ERR =
  'get image info: fetch image error: GET https://r/v2/m/release/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]';
const ok = (name: string, inUse = false): ModuleSyncResult => ({
  name,
  version: 'v1.0.0',
  checksum: 'sha256:aa',
  policy: '',
  inUse,
});
const failed = (name: string, inUse: boolean): ModuleSyncResult => ({ name, pullError: ERR, policy: '', inUse });

describe('summarizeSourceStatus (§1, §9, §10.1, §10.3, §10.16)', () => {
  it.each([
    { why: 'all fetched: Ready', modules: [ok('module-2'), ok('module-1')], message: 'Ready', count: 2 },
    {
      why: 'a module in use failed: the error summary',
      modules: [ok('module-1'), failed('module-2', true)],
      message: 'Some errors occurred. Inspect status for details',
      count: 2,
    },
    {
      why: 'a module not in use failed: recorded, still Ready',
      modules: [ok('module-1'), failed('module-2', false)],
      message: 'Ready',
      count: 2,
    },
    { why: 'no modules', modules: [], message: 'Ready', count: 0 },
  ])('$why', ({ modules, message, count }) => {
    const status = summarizeSourceStatus(undefined, { kind: 'Synced', modules }, NOW);
    expect(status.message).toBe(message);
    expect(status.modulesCount).toBe(count);
    expect(status.phase).toBe('Active');
    expect(status.syncTime).toBe('2026-11-23T12:00:00Z');
    expect(status.modules?.map((m) => m.name)).toEqual([...modules.map((m) => m.name)].sort());
  });

  it('a failed fetch reads version unknown, pullError and error the same text', () => {
    const status = summarizeSourceStatus(undefined, { kind: 'Synced', modules: [failed('module-1', true)] }, NOW);
    expect(status.modules).toEqual([{ name: 'module-1', version: 'unknown', pullError: ERR, error: ERR, policy: '' }]);
  });

  it('records policy and overridden', () => {
    const status = summarizeSourceStatus(
      undefined,
      { kind: 'Synced', modules: [{ ...ok('m'), policy: 'example-update-policy', overridden: true }] },
      NOW,
    );
    expect(status.modules).toEqual([
      { name: 'm', version: 'v1.0.0', checksum: 'sha256:aa', policy: 'example-update-policy', overridden: true },
    ]);
  });

  it('a failed listing keeps phase and modules, sets the message, refreshes syncTime', () => {
    const previous: SourceStatus = {
      phase: 'Active',
      syncTime: '2026-11-23T11:57:00Z',
      modulesCount: 1,
      message: 'Ready',
      modules: [{ name: 'm', version: 'v1.0.0' }],
    };
    const error = 'read auth config: "registry.example.com/deckhouse/modules" credentials not found in the dockerCfg';
    expect(summarizeSourceStatus(previous, { kind: 'Failed', error }, NOW)).toEqual({
      ...previous,
      syncTime: '2026-11-23T12:00:00Z',
      message: error,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'SyncFailed',
          message: error,
          lastProbeTime: '2026-11-23T12:00:00Z',
          lastTransitionTime: '2026-11-23T12:00:00Z',
        },
      ],
    });
  });

  it('a listing refused by the open circuit breaker reads RegistryPaused', () => {
    const error =
      'GET http://r.example/v2/m/tags/list?n=1000: registry r.example paused until 2026-11-23T12:00:30.000Z after repeated failures (last: HTTP 503)';
    expect(summarizeSourceStatus(undefined, { kind: 'Failed', error, registryPaused: true }, NOW)).toEqual({
      syncTime: '2026-11-23T12:00:00Z',
      message: error,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'RegistryPaused',
          message: error,
          lastProbeTime: '2026-11-23T12:00:00Z',
          lastTransitionTime: '2026-11-23T12:00:00Z',
        },
      ],
    });
  });

  describe('the Ready condition says whether the last sync succeeded, and since when', () => {
    const earlier = '2026-11-23T11:57:00Z';
    const readyTrue = {
      type: 'Ready',
      status: 'True' as const,
      reason: 'Synced',
      lastProbeTime: earlier,
      lastTransitionTime: earlier,
    };
    const failing = {
      type: 'Ready',
      status: 'False' as const,
      reason: 'SyncFailed',
      message: 'boom',
      lastProbeTime: earlier,
      lastTransitionTime: earlier,
    };
    it.each([
      {
        why: 'first sync, clean',
        previous: undefined,
        outcome: { kind: 'Synced' as const, modules: [ok('a')] },
        expected: { ...readyTrue, lastProbeTime: '2026-11-23T12:00:00Z', lastTransitionTime: '2026-11-23T12:00:00Z' },
      },
      {
        why: 'clean again: kept as is, timestamps too',
        previous: { conditions: [readyTrue] },
        outcome: { kind: 'Synced' as const, modules: [ok('a')] },
        expected: readyTrue,
      },
      {
        why: 'a module in use failed',
        previous: { conditions: [readyTrue] },
        outcome: { kind: 'Synced' as const, modules: [failed('a', true)] },
        expected: {
          type: 'Ready',
          status: 'False',
          reason: 'PullErrors',
          message: 'Some errors occurred. Inspect status for details',
          lastProbeTime: '2026-11-23T12:00:00Z',
          lastTransitionTime: '2026-11-23T12:00:00Z',
        },
      },
      {
        why: 'still failing the same way: since the first failure',
        previous: { conditions: [failing] },
        outcome: { kind: 'Failed' as const, error: 'boom' },
        expected: failing,
      },
      {
        why: 'recovered',
        previous: { conditions: [failing] },
        outcome: { kind: 'Synced' as const, modules: [] },
        expected: { ...readyTrue, lastProbeTime: '2026-11-23T12:00:00Z', lastTransitionTime: '2026-11-23T12:00:00Z' },
      },
    ])('$why', ({ previous, outcome, expected }) => {
      expect(summarizeSourceStatus(previous, outcome, NOW).conditions).toEqual([expected]);
    });
  });

  it('a Terminating source stays Terminating', () => {
    expect(summarizeSourceStatus({ phase: 'Terminating' }, { kind: 'Synced', modules: [] }, NOW).phase).toBe(
      'Terminating',
    );
  });
});

describe('diffSourceStatus: no change, no write', () => {
  const base = summarizeSourceStatus(undefined, { kind: 'Synced', modules: [ok('a'), ok('b')] }, NOW);
  it.each([
    {
      why: 'the same sync a cycle later: only syncTime moved',
      next: summarizeSourceStatus(
        base,
        { kind: 'Synced', modules: [ok('b'), ok('a')] },
        new Date(NOW.getTime() + 180_000),
      ),
      fields: [],
    },
    {
      why: 'a new version',
      next: summarizeSourceStatus(base, { kind: 'Synced', modules: [ok('a'), { ...ok('b'), version: 'v1.1.0' }] }, NOW),
      fields: ['modules'],
    },
    {
      why: 'a module appeared',
      next: summarizeSourceStatus(base, { kind: 'Synced', modules: [ok('a'), ok('b'), ok('c')] }, NOW),
      fields: ['modulesCount', 'modules'],
    },
    {
      why: 'an error in use',
      next: summarizeSourceStatus(base, { kind: 'Synced', modules: [ok('a'), failed('b', true)] }, NOW),
      fields: ['message', 'modules', 'conditions'],
    },
    {
      why: 'listing failed',
      next: summarizeSourceStatus(base, { kind: 'Failed', error: 'boom' }, NOW),
      fields: ['message', 'conditions'],
    },
  ])('$why → $fields', ({ next, fields }) => {
    expect(diffSourceStatus(base, next)).toEqual({ changed: fields.length > 0, fields });
  });

  it('absent and empty compare equal', () => {
    expect(
      diffSourceStatus(
        { message: '', modules: [{ name: 'a', policy: '' }] },
        { modules: [{ name: 'a', overridden: false }] },
      ).changed,
    ).toBe(false);
  });

  it('no previous status is a change', () => {
    expect(diffSourceStatus(undefined, base).changed).toBe(true);
  });
});
