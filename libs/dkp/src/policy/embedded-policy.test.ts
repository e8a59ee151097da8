import { describe, expect, it } from 'vitest';

import { embeddedPolicy } from './embedded-policy.ts';

describe('embeddedPolicy from the deckhouse ModuleConfig settings (§8, §10.7)', () => {
  it.each([
    {
      why: 'no settings: Stable, AutoPatch',
      settings: undefined,
      want: { releaseChannel: 'Stable', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'empty settings',
      settings: {},
      want: { releaseChannel: 'Stable', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'channel only',
      settings: { releaseChannel: 'EarlyAccess' },
      want: { releaseChannel: 'EarlyAccess', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'LTS spelled upper case',
      settings: { releaseChannel: 'LTS' },
      want: { releaseChannel: 'Lts', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'mode and windows',
      settings: { releaseChannel: 'Stable', update: { mode: 'Manual', windows: [{ from: '8:00', to: '10:00' }] } },
      want: { releaseChannel: 'Stable', update: { mode: 'Manual', windows: [{ from: '8:00', to: '10:00' }] } },
    },
    {
      why: 'a malformed field falls back alone',
      settings: { releaseChannel: 42, update: { mode: 'Auto', windows: 'always' } },
      want: { releaseChannel: 'Stable', update: { mode: 'Auto', windows: [] } },
    },
    {
      why: 'not an object at all',
      settings: 'nonsense',
      want: { releaseChannel: 'Stable', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'unknown mode falls back',
      settings: { update: { mode: 'Sometimes' } },
      want: { releaseChannel: 'Stable', update: { mode: 'AutoPatch', windows: [] } },
    },
  ])('$why', ({ settings, want }) => {
    expect(embeddedPolicy(settings)).toEqual(want);
  });
});
