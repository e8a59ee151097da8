import { describe, expect, it } from 'vitest';

import { moduleRepository, releaseRepository } from './references.ts';

describe('repositories in a source repository (§7)', () => {
  it.each([
    { got: moduleRepository('registry.example.com/deckhouse/modules', 'module-1'), want: 'registry.example.com/deckhouse/modules/module-1' },
    { got: releaseRepository('registry.example.com/deckhouse/modules', 'module-1'), want: 'registry.example.com/deckhouse/modules/module-1/release' },
    { got: moduleRepository('deckhouse/modules/', 'm'), want: 'deckhouse/modules/m' },
    { got: releaseRepository('deckhouse/modules', 'module-one'), want: 'deckhouse/modules/module-one/release' },
    { got: moduleRepository('', 'module-one'), want: 'module-one' },
    { got: releaseRepository('', 'module-one'), want: 'module-one/release' },
  ])('$want', ({ got, want }) => {
    expect(got).toBe(want);
  });
});
