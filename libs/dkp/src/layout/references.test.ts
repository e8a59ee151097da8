import { describe, expect, it } from 'vitest';

import {
  bundleReference,
  channelReleaseReference,
  moduleRepository,
  releaseRepository,
  versionReleaseReference,
} from './references.ts';

const R = 'registry.example.com/deckhouse/modules';

describe('image references in a source repository (§7)', () => {
  it.each([
    { what: 'module repository', got: moduleRepository(R, 'module-1'), want: `${R}/module-1` },
    { what: 'release repository', got: releaseRepository(R, 'module-1'), want: `${R}/module-1/release` },
    { what: 'channel release image', got: channelReleaseReference(R, 'module-1', 'Stable'), want: `${R}/module-1/release:stable` },
    { what: 'kebab channel tag', got: channelReleaseReference(R, 'module-1', 'EarlyAccess'), want: `${R}/module-1/release:early-access` },
    { what: 'version release image from 1.2.3', got: versionReleaseReference(R, 'module-1', '1.2.3'), want: `${R}/module-1/release:v1.2.3` },
    { what: 'bundle from v1.2.3', got: bundleReference(R, 'module-1', 'v1.2.3'), want: `${R}/module-1:v1.2.3` },
    { what: 'trailing slash on repo trimmed', got: bundleReference(`${R}/`, 'm', '0.1.0'), want: `${R}/m:v0.1.0` },
  ])('$what: $want', ({ got, want }) => {
    expect(got).toBe(want);
  });
});
