import { describe, expect, it } from 'vitest';

import {
  coerceVersion,
  isValidConstraint,
  minimalAllowedVersion,
  parseConstraint,
  satisfiesConstraint,
  startsAtLeast,
} from './constraint.ts';

describe('version constraints (Masterminds syntax)', () => {
  it.each([
    ['>= 1.68', true],
    ['>=1.68.0, <2', true],
    ['~1.2 || ^2.0', true],
    ['1.2 - 1.4', true],
    ['!= 1.3.0', true],
    ['>= banana', false],
    ['>=', false],
  ])('%s valid=%s', (c, ok) => expect(isValidConstraint(c)).toBe(ok));

  it.each([
    ['>= 1.72', '1.72.0'],
    ['>= 1.64, < 2', '1.64.0'],
    ['~1.2', undefined],
  ])('minimal allowed of %s is %s', (c, v) => expect(minimalAllowedVersion(parseConstraint(c))).toBe(v));

  it.each([
    ['>= 1.77', '1.76.999999', false],
    ['>= 1.68', '1.76.999999', true],
    ['>=1.70, != 1.76.999999', '1.76.999999', false],
  ])('%s satisfied by %s = %s', (c, v, want) => expect(satisfiesConstraint(v, parseConstraint(c))).toBe(want));

  it.each([
    ['>= 1.72', '1.72.0', true],
    ['>= 1.68', '1.72.0', false],
  ])('%s starts at least %s = %s', (c, v, want) => expect(startsAtLeast(c, v)).toBe(want));

  it.each([
    ['1.2.3', true],
    ['v1.2', true],
    ['stable-23.8', false],
  ])('%s is loose semver = %s', (v, want) => expect(coerceVersion(v) !== undefined).toBe(want));
});

describe('parseConstraint', () => {
  it.each([
    [
      '>= 1.2, < 2',
      [
        [
          { op: '>=', version: '1.2' },
          { op: '<', version: '2' },
        ],
      ],
      '>=1.2 <2',
    ],
    [
      '1.2 - 1.4',
      [
        [
          { op: '>=', version: '1.2' },
          { op: '<=', version: '1.4' },
        ],
      ],
      '>=1.2 <=1.4',
    ],
    ['~> v1.2 || 3.x', [[{ op: '~>', version: 'v1.2' }], [{ op: '', version: '3.x' }]], '~>v1.2 || 3.x'],
  ])('%s', (input, groups, text) => expect(parseConstraint(input)).toEqual({ groups, text }));

  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2', '1.2.0'],
    ['1', '1.0.0'],
    ['v1.2.3-rc.1+meta', '1.2.3-rc.1'],
    ['stable', undefined],
  ])('coerceVersion(%s) = %s', (input, want) => expect(coerceVersion(input)).toBe(want));
});
