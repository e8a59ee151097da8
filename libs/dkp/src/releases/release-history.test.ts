import { describe, expect, it } from 'vitest';

import type { ReleasePhase } from '../layout/release-labels.ts';
import { releasesToDelete } from './release-history.ts';

function list(spec: string): { name: string; version: string; phase: ReleasePhase; source: string }[] {
  return spec.split(',').map((item) => {
    const [version = '', phase = '', source = 's'] = item.trim().split(/\s+/);
    return { name: `m-v${version}`, version, phase: phase as ReleasePhase, source };
  });
}

describe('releasesToDelete: keep the 3 newest outdated per source (§8)', () => {
  it.each([
    { why: 'three kept', spec: '1.0.0 Superseded, 1.1.0 Superseded, 1.2.0 Superseded, 1.3.0 Deployed', want: [] },
    {
      why: 'four: the lowest version goes',
      spec: '1.1.0 Superseded, 1.0.0 Superseded, 1.2.0 Superseded, 1.3.0 Superseded',
      want: ['m-v1.0.0'],
    },
    {
      why: 'Skipped and Suspended count too',
      spec: '1.0.0 Skipped, 1.1.0 Suspended, 1.2.0 Superseded, 1.3.0 Skipped',
      want: ['m-v1.0.0'],
    },
    {
      why: 'Pending and Deployed never go',
      spec: '0.1.0 Pending, 0.2.0 Deployed, 1.0.0 Skipped, 1.1.0 Skipped, 1.2.0 Skipped',
      want: [],
    },
    {
      why: 'ordered by semver, not text',
      spec: '1.9.0 Superseded, 1.10.0 Superseded, 1.11.0 Superseded, 1.8.0 Superseded',
      want: ['m-v1.8.0'],
    },
    {
      why: 'per source',
      spec: '1.0.0 Superseded a, 1.1.0 Superseded a, 1.2.0 Superseded a, 1.3.0 Superseded b, 1.4.0 Superseded a',
      want: ['m-v1.0.0'],
    },
  ])('$why', ({ spec, want }) => {
    expect(releasesToDelete(list(spec)).map((d) => d.name)).toEqual(want);
  });
});
