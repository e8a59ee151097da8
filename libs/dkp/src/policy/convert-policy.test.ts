import { describe, expect, it } from 'vitest';

import { convertPolicyV1alpha1, normalizePolicy } from './convert-policy.ts';

describe('normalizePolicy: v1alpha1 → v1alpha2 conversion and defaults (§4, §10.7, §10.8)', () => {
  it.each([
    {
      why: 'mode-less v1alpha1 becomes AutoPatch',
      policy: {
        metadata: { name: 'p' },
        apiVersion: 'deckhouse.io/v1alpha1',
        spec: {
          moduleReleaseSelector: { labelSelector: { matchLabels: { source: 'x' } } },
          releaseChannel: 'Alpha',
          update: {},
        },
      },
      want: { releaseChannel: 'Alpha', update: { mode: 'AutoPatch', windows: [] } },
    },
    {
      why: 'v1alpha1 keeps Ignore',
      policy: { metadata: { name: 'p' }, apiVersion: 'deckhouse.io/v1alpha1', spec: { update: { mode: 'Ignore' } } },
      want: { releaseChannel: 'Stable', update: { mode: 'Ignore', windows: [] } },
    },
    {
      why: 'mode-less v1alpha2 defaults to Auto',
      policy: {
        metadata: { name: 'p' },
        apiVersion: 'deckhouse.io/v1alpha2',
        spec: { releaseChannel: 'Beta', update: {} },
      },
      want: { releaseChannel: 'Beta', update: { mode: 'Auto', windows: [] } },
    },
    {
      why: 'no apiVersion reads as the v1alpha2 storage version',
      policy: { metadata: { name: 'p' } },
      want: { releaseChannel: 'Stable', update: { mode: 'Auto', windows: [] } },
    },
    {
      why: 'Ignore stored through v1alpha2 is honoured',
      policy: { metadata: { name: 'p' }, apiVersion: 'deckhouse.io/v1alpha2', spec: { update: { mode: 'Ignore' } } },
      want: { releaseChannel: 'Stable', update: { mode: 'Ignore', windows: [] } },
    },
    {
      why: 'the guide example: Alpha, Auto, Mon/Wed 13:30–14:00',
      policy: {
        metadata: { name: 'example-update-policy' },
        apiVersion: 'deckhouse.io/v1alpha2',
        spec: {
          releaseChannel: 'Alpha',
          update: { mode: 'Auto', windows: [{ days: ['Mon', 'Wed'], from: '13:30', to: '14:00' }] },
        },
      },
      want: {
        releaseChannel: 'Alpha',
        update: { mode: 'Auto', windows: [{ days: ['Mon', 'Wed'], from: '13:30', to: '14:00' }] },
      },
    },
    {
      why: 'unknown channel reads as Stable',
      policy: { metadata: { name: 'p' }, spec: { releaseChannel: 'Nightly', update: { mode: 'Manual' } } },
      want: { releaseChannel: 'Stable', update: { mode: 'Manual', windows: [] } },
    },
  ])('$why', ({ policy, want }) => {
    expect(normalizePolicy(policy)).toEqual(want);
  });

  it('convertPolicyV1alpha1 of nothing is Stable/AutoPatch', () => {
    expect(convertPolicyV1alpha1(undefined)).toEqual({
      releaseChannel: 'Stable',
      update: { mode: 'AutoPatch', windows: [] },
    });
  });
});
