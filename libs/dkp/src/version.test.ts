import { describe, expect, it } from 'vitest';

import { compareVersions, formatVersion, mustParseVersion, normalizeVersion, parseVersion } from './version.ts';

describe('parseVersion / normalizeVersion', () => {
  it.each([
    { input: '1.2.3', want: 'v1.2.3', why: 'DKP writes spec.version without v' },
    { input: 'v1.2.3', want: 'v1.2.3', why: 'tags and names carry the v' },
    { input: 'v0.7.24', want: 'v0.7.24', why: '0.x' },
    { input: '1.2.3-rc.1', want: 'v1.2.3-rc.1', why: 'prerelease kept' },
    { input: 'v1.2.3+build.5', want: 'v1.2.3', why: 'build metadata dropped when written' },
    { input: 'v1.2', want: undefined, why: 'two parts' },
    { input: '=1.2.3', want: undefined, why: 'no loose forms' },
    { input: ' 1.2.3', want: undefined, why: 'no surrounding space' },
    { input: 'V1.2.3', want: undefined, why: 'capital V' },
    { input: 'v01.2.3', want: undefined, why: 'leading zero' },
    { input: 'stable', want: undefined, why: 'a channel tag' },
    { input: '', want: undefined, why: 'empty' },
  ])('$input → $want ($why)', ({ input, want }) => {
    expect(normalizeVersion(input)).toBe(want);
    expect(parseVersion(input) === undefined).toBe(want === undefined);
  });
});

describe('formatVersion', () => {
  it.each([
    { input: '1.2.3', want: 'v1.2.3' },
    { input: 'v10.20.30', want: 'v10.20.30' },
  ])('writes $input as $want', ({ input, want }) => {
    expect(formatVersion(input)).toBe(want);
    expect(formatVersion(mustParseVersion(input))).toBe(want);
  });

  it('throws MODSYNC_DKP_INVALID_VERSION on garbage', () => {
    expect(() => formatVersion('latest')).toThrow(
      expect.objectContaining({ code: 'MODSYNC_DKP_INVALID_VERSION', input: 'latest' }),
    );
  });
});

describe('compareVersions', () => {
  it.each([
    { a: '1.2.3', b: 'v1.2.3', want: 0 },
    { a: 'v1.2.3', b: 'v1.2.4', want: -1 },
    { a: 'v1.10.0', b: 'v1.9.9', want: 1 },
    { a: 'v1.2.3-rc.1', b: 'v1.2.3', want: -1 },
    { a: 'v0.9.0', b: 'v1.0.0', want: -1 },
  ])('$a vs $b → $want', ({ a, b, want }) => {
    expect(compareVersions(a, b)).toBe(want);
  });
});
