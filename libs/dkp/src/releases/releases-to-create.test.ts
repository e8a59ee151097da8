import { describe, expect, it } from 'vitest';

import type { ReleasePhase } from '../layout/release-labels.ts';
import { releasesToCreate, type ReleasePlan } from './releases-to-create.ts';

function existing(spec: string): { version: string; phase: ReleasePhase }[] {
  if (spec === '') return [];
  return spec.split(',').map((item) => {
    const [version = '', phase = 'Pending'] = item.trim().split(/\s+/);
    return { version, phase: phase as ReleasePhase };
  });
}

function render(plan: ReleasePlan): string {
  switch (plan.kind) {
    case 'Create':
      return plan.releases
        .map(
          (r) =>
            `${r.version} (${r.cause})${r.annotations['modules.deckhouse.io/apply-now'] === 'true' ? ' apply-now' : ''}`,
        )
        .join(', ');
    case 'UpToDate':
      return 'up to date';
    case 'NeedBundleTags':
      return `need tags ${plan.from}..${plan.to}`;
    case 'NoStepVersions':
      return plan.message;
  }
}

const TAGS = [
  'v1.2.0',
  'v1.2.5',
  'v1.3.0',
  'v1.3.4',
  'v1.4.0',
  'v1.4.3',
  'v1.5.0',
  'v1.5.1',
  'v1.6.0',
  'main',
  'v1.5.2-rc.1',
];

describe('releasesToCreate (§9 "Releases created", §11.8)', () => {
  it.each([
    {
      why: 'nothing in the cluster: only the channel version, applied at once',
      have: '',
      channel: 'v0.7.24',
      tags: undefined,
      want: 'v0.7.24 (no releases in cluster) apply-now',
    },
    {
      why: 'a patch ahead of the deployed one',
      have: '1.2.0 Deployed',
      channel: '1.2.5',
      tags: undefined,
      want: 'v1.2.5 (from deployed)',
    },
    {
      why: 'one minor ahead',
      have: '1.2.0 Deployed',
      channel: 'v1.3.4',
      tags: undefined,
      want: 'v1.3.4 (from deployed)',
    },
    {
      why: 'one major ahead with minor 0',
      have: '1.2.0 Deployed',
      channel: 'v2.0.0',
      tags: undefined,
      want: 'v2.0.0 (from deployed)',
    },
    {
      why: 'the channel version exists: nothing to do',
      have: '1.2.0 Deployed, 1.3.4 Pending',
      channel: 'v1.3.4',
      tags: undefined,
      want: 'up to date',
    },
    {
      why: 'the channel went back below the deployed one: nothing',
      have: '1.3.0 Deployed',
      channel: 'v1.2.5',
      tags: undefined,
      want: 'up to date',
    },
    {
      why: 'the channel equals the deployed one: nothing',
      have: '1.3.0 Deployed',
      channel: 'v1.3.0',
      tags: undefined,
      want: 'up to date',
    },
    {
      why: 'no deployed release: counted from the lowest one',
      have: '1.2.0 Pending',
      channel: 'v1.3.0',
      tags: undefined,
      want: 'v1.3.0 (from deployed)',
    },
    {
      why: 'releases in sequence up to one minor below: from the last in cluster',
      have: '1.2.0 Deployed, 1.3.4 Pending',
      channel: 'v1.4.3',
      tags: undefined,
      want: 'v1.4.3 (from last release in cluster)',
    },
    {
      why: 'a gap of minors: ask for the bundle tags first',
      have: '1.2.0 Deployed',
      channel: 'v1.5.1',
      tags: undefined,
      want: 'need tags v1.2.0..v1.5.1',
    },
    {
      why: 'step by step: newest patch of each minor, then the channel version',
      have: '1.2.0 Deployed',
      channel: 'v1.5.1',
      tags: TAGS,
      want: 'v1.3.4 (step-by-step), v1.4.3 (step-by-step), v1.5.1 (step-by-step)',
    },
    {
      why: 'the chain holds to the last in cluster: tags are needed from there',
      have: '1.2.0 Deployed, 1.3.4 Pending',
      channel: 'v1.6.0',
      tags: undefined,
      want: 'need tags v1.3.4..v1.6.0',
    },
    {
      why: 'step by step from the last in cluster when the chain holds',
      have: '1.2.0 Deployed, 1.3.4 Pending',
      channel: 'v1.6.0',
      tags: TAGS,
      want: 'v1.4.3 (step-by-step), v1.5.1 (step-by-step), v1.6.0 (step-by-step)',
    },
    {
      why: 'chain re-check: a missing link is re-created (§11.8)',
      have: '1.2.0 Deployed, 1.4.3 Pending, 1.5.1 Pending',
      channel: 'v1.5.1',
      tags: TAGS,
      want: 'v1.3.4 (step-by-step)',
    },
    {
      why: 'chain complete: nothing, and no tags needed',
      have: '1.2.0 Deployed, 1.3.4 Pending, 1.4.3 Pending, 1.5.1 Pending',
      channel: 'v1.5.1',
      tags: undefined,
      want: 'up to date',
    },
    {
      why: 'the deployed minor’s newer patch is no step when there is further to go',
      have: '1.2.0 Deployed',
      channel: 'v1.4.0',
      tags: TAGS,
      want: 'v1.3.4 (step-by-step), v1.4.0 (step-by-step)',
    },
    {
      why: 'a patch above the channel version is not taken',
      have: '1.2.0 Deployed',
      channel: 'v1.4.0',
      tags: [...TAGS, 'v1.4.9'],
      want: 'v1.3.4 (step-by-step), v1.4.0 (step-by-step)',
    },
    {
      why: 'no bundle tags at all',
      have: '1.2.0 Deployed',
      channel: 'v1.5.1',
      tags: ['main', 'latest'],
      want: 'no matched tags in registry',
    },
    {
      why: 'a minor missing from the registry is simply absent',
      have: '1.2.0 Deployed',
      channel: 'v1.5.1',
      tags: ['v1.2.0', 'v1.4.0', 'v1.5.1'],
      want: 'v1.4.0 (step-by-step), v1.5.1 (step-by-step)',
    },
    {
      why: '0.x gap',
      have: '0.1.0 Deployed',
      channel: 'v0.4.0',
      tags: ['v0.1.0', 'v0.2.3', 'v0.3.1', 'v0.4.0'],
      want: 'v0.2.3 (step-by-step), v0.3.1 (step-by-step), v0.4.0 (step-by-step)',
    },
  ])('$why', ({ have, channel, tags, want }) => {
    expect(render(releasesToCreate({ existing: existing(have), channelVersion: channel, bundleTags: tags }))).toBe(
      want,
    );
  });

  it('writes the change cause as DKP does', () => {
    const plan = releasesToCreate({ existing: existing('1.2.0 Deployed'), channelVersion: '1.2.5' });
    expect(plan).toEqual({
      kind: 'Create',
      releases: [
        {
          version: 'v1.2.5',
          cause: 'from deployed',
          annotations: { 'modules.deckhouse.io/change-cause': 'check release (from deployed)' },
        },
      ],
    });
  });
});
