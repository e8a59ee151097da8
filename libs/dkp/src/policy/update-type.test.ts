import { describe, expect, it } from 'vitest';

import { mustParseVersion } from '../version.ts';
import { isPatchStep, updateType } from './update-type.ts';

describe('updateType(from, to)', () => {
  it.each([
    { from: '1.2.3', to: '1.2.4', want: 'patch' },
    { from: 'v1.2.3', to: 'v1.2.10', want: 'patch' },
    { from: '1.2.3', to: '1.3.0', want: 'minor' },
    { from: '1.2.9', to: '1.3.0', want: 'minor' },
    { from: '1.2.3', to: '2.0.0', want: 'major' },
    { from: '0.1.0', to: '0.2.0', want: 'minor', note: '0.x minors stay minors (DKP)' },
    { from: '0.9.0', to: '1.0.0', want: 'major' },
    { from: '1.2.3-rc.1', to: '1.2.3', want: 'patch', note: 'prerelease to release' },
    { from: '1.2.3', to: '1.3.0-rc.1', want: 'minor' },
    { from: '1.2.3', to: '1.2.3', want: 'none' },
    { from: '1.2.4', to: '1.2.3', want: 'none', note: 'downgrade' },
  ])('$from → $to is $want', ({ from, to, want }) => {
    expect(updateType(from, to)).toBe(want);
  });

  it('throws a coded error on invalid versions', () => {
    expect(() => updateType('1.2', '1.3.0')).toThrow(expect.objectContaining({ code: 'MODSYNC_DKP_INVALID_VERSION' }));
  });
});

describe("isPatchStep: DKP's isPatchRelease", () => {
  it.each([
    { from: '1.2.3', to: '1.2.4', want: true },
    { from: '1.2.3', to: '1.2.3', want: false },
    { from: '1.2.3-rc.1', to: '1.2.3', want: false, note: 'same patch number' },
    { from: '1.2.3', to: '1.3.0', want: false },
    { from: '1.2.3', to: '2.2.4', want: false },
  ])('$from → $to: $want', ({ from, to, want }) => {
    expect(isPatchStep(mustParseVersion(from), mustParseVersion(to))).toBe(want);
  });
});
