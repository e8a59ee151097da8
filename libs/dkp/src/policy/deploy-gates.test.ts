import { describe, expect, it } from 'vitest';

import { deployGates } from './deploy-gates.ts';

describe('deployGates: the mode matrix (§8)', () => {
  it.each([
    { mode: 'Auto', step: 'patch', disabled: false, approval: false, windows: true, canary: true },
    { mode: 'Auto', step: 'minor', disabled: false, approval: false, windows: true, canary: true },
    { mode: 'AutoPatch', step: 'patch', disabled: false, approval: false, windows: true, canary: true },
    { mode: 'AutoPatch', step: 'minor', disabled: false, approval: true, windows: false, canary: true },
    { mode: 'Manual', step: 'patch', disabled: false, approval: true, windows: false, canary: true },
    { mode: 'Manual', step: 'minor', disabled: false, approval: true, windows: false, canary: false },
    { mode: 'Ignore', step: 'patch', disabled: true, approval: false, windows: false, canary: false },
    { mode: 'Ignore', step: 'minor', disabled: true, approval: false, windows: false, canary: false },
  ] as const)('$mode $step: approval=$approval windows=$windows canary=$canary', ({ mode, step, ...want }) => {
    expect(deployGates(mode, step)).toEqual(want);
  });
});
