import { describe, expect, it } from 'vitest';

import { parseReleaseName, releaseName } from './release-name.ts';

describe('releaseName: <module>-v<x.y.z> (§5)', () => {
  it.each([
    { module: 'module-two', version: '1.2.5', want: 'module-two-v1.2.5' },
    { module: 'module-one', version: 'v0.7.24', want: 'module-one-v0.7.24' },
    { module: 'm', version: '1.0.0-rc.1', want: 'm-v1.0.0-rc.1' },
  ])('$module $version → $want', ({ module, version, want }) => {
    expect(releaseName(module, version)).toBe(want);
    expect(parseReleaseName(want)).toEqual({ module, version: `v${version.replace(/^v/, '')}` });
  });

  it.each(['module-two', 'module-two-1.2.5', 'v1.2.3', 'm-v1.2'])('%s is not a release name', (name) => {
    expect(parseReleaseName(name)).toBeUndefined();
  });
});
