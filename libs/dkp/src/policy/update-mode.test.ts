import { describe, expect, it } from 'vitest';

import { parseUpdateMode } from './update-mode.ts';

describe('parseUpdateMode', () => {
  it.each([
    { input: 'Auto', want: 'Auto' },
    { input: 'autopatch', want: 'AutoPatch' },
    { input: 'MANUAL', want: 'Manual' },
    { input: 'Ignore', want: 'Ignore' },
    { input: 'Never', want: undefined },
    { input: undefined, want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(parseUpdateMode(input)).toBe(want);
  });
});
