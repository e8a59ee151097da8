import { describe, expect, it } from 'vitest';

import { bundleVersions } from './bundle-versions.ts';

describe('bundleVersions: only ^v(\\d+)\\.(\\d+)\\.(\\d+)$ tags count (§7)', () => {
  it.each([
    { why: 'plain vX.Y.Z', tags: ['v1.2.3'], want: ['v1.2.3'] },
    { why: 'no v is not a bundle tag', tags: ['1.2.3'], want: [] },
    { why: 'prerelease tags are not bundle versions', tags: ['v1.2.3-rc.1'], want: [] },
    { why: 'dev tags are not', tags: ['main', 'pr-12', 'latest'], want: [] },
    { why: 'dots must be dots', tags: ['v1x2x3'], want: [] },
    { why: 'leading zero is not semver', tags: ['v01.2.3'], want: [] },
    {
      why: 'sorted by semver, not text',
      tags: ['v1.10.0', 'v1.9.0', 'v1.2.10', 'v1.2.9'],
      want: ['v1.2.9', 'v1.2.10', 'v1.9.0', 'v1.10.0'],
    },
    { why: 'duplicates once', tags: ['v0.1.0', 'v0.1.0'], want: ['v0.1.0'] },
  ])('$why', ({ tags, want }) => {
    expect(bundleVersions(tags)).toEqual(want);
  });
});
