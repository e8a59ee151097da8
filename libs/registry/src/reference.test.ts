import { describe, expect, it } from 'vitest';
import { RegistryBadReferenceError } from './errors.ts';
import { isValidDigest, isValidRepository, isValidTag, parseReference } from './reference.ts';

const HEX64 = 'a'.repeat(64);

describe('isValidRepository', () => {
  it.each([
    ['deckhouse/modules/module-one/release', true],
    ['a', true],
    ['a.b_c__d---e/f', true],
    ['module-one', true],
    ['Deckhouse/modules', false],
    ['/leading', false],
    ['trailing/', false],
    ['double//slash', false],
    ['a_', false],
    ['-a', false],
    ['a/../b', false],
    ['', false],
    ['a:tag', false],
  ])('%s → %s', (repository, want) => {
    expect(isValidRepository(repository)).toBe(want);
  });
});

describe('isValidTag / isValidDigest', () => {
  it.each([
    ['stable', true, false],
    ['v1.2.3', true, false],
    ['early-access', true, false],
    ['_x', true, false],
    ['.x', false, false],
    ['-x', false, false],
    ['a'.repeat(128), true, false],
    ['a'.repeat(129), false, false],
    [`sha256:${HEX64}`, false, true],
    [`sha512:${'b'.repeat(128)}`, false, true],
    [`sha256:${'A'.repeat(64)}`, false, false],
    [`sha256:${'a'.repeat(63)}`, false, false],
    [`md5:${'a'.repeat(32)}`, false, false],
    ['', false, false],
  ])('%s → tag %s, digest %s', (value, tag, digest) => {
    expect(isValidTag(value)).toBe(tag);
    expect(isValidDigest(value)).toBe(digest);
  });
});

describe('parseReference', () => {
  it.each([
    ['stable', { kind: 'tag', tag: 'stable' }],
    [`sha256:${HEX64}`, { kind: 'digest', algorithm: 'sha256', hex: HEX64, digest: `sha256:${HEX64}` }],
  ])('%s', (reference, want) => {
    expect(parseReference(reference)).toEqual(want);
  });

  it.each(['', 'a/b', 'sha256:zz', 'latest@sha256:x', 'x y'])('rejects %j with a typed error', (reference) => {
    expect(() => parseReference(reference)).toThrow(RegistryBadReferenceError);
  });
});
