import { describe, expect, it } from 'vitest';

import { classifyReleaseTag, locateInSource, moduleRepository, releaseRepository } from './references.ts';

describe('repositories in a source repository (§7)', () => {
  it.each([
    {
      got: moduleRepository('registry.example.com/deckhouse/modules', 'module-1'),
      want: 'registry.example.com/deckhouse/modules/module-1',
    },
    {
      got: releaseRepository('registry.example.com/deckhouse/modules', 'module-1'),
      want: 'registry.example.com/deckhouse/modules/module-1/release',
    },
    { got: moduleRepository('deckhouse/modules/', 'm'), want: 'deckhouse/modules/m' },
    { got: releaseRepository('deckhouse/modules', 'module-one'), want: 'deckhouse/modules/module-one/release' },
    { got: moduleRepository('', 'module-one'), want: 'module-one' },
    { got: releaseRepository('', 'module-one'), want: 'module-one/release' },
  ])('$want', ({ got, want }) => {
    expect(got).toBe(want);
  });
});

describe('where a pushed image lies in a source (the inverse of the references)', () => {
  const P = 'deckhouse/modules';
  it.each([
    { what: 'the catalogue', prefix: P, repository: 'deckhouse/modules', tag: 'module-1', want: { kind: 'catalogue' } },
    {
      what: 'a bundle',
      prefix: P,
      repository: 'deckhouse/modules/module-1',
      tag: 'v1.2.3',
      want: { kind: 'bundle', module: 'module-1' },
    },
    {
      what: 'a channel release image',
      prefix: P,
      repository: 'deckhouse/modules/module-1/release',
      tag: 'early-access',
      want: { kind: 'release', module: 'module-1', tag: { kind: 'channel', channel: 'EarlyAccess' } },
    },
    {
      what: 'a version release image',
      prefix: P,
      repository: 'deckhouse/modules/module-1/release',
      tag: 'v1.2.3',
      want: { kind: 'release', module: 'module-1', tag: { kind: 'version', version: 'v1.2.3' } },
    },
    {
      what: 'a release image with another tag',
      prefix: P,
      repository: 'deckhouse/modules/module-1/release',
      tag: 'latest',
      want: { kind: 'release', module: 'module-1', tag: { kind: 'other' } },
    },
    {
      what: 'slashes around the prefix',
      prefix: '/deckhouse/modules/',
      repository: 'deckhouse/modules/m',
      tag: 'v1.0.0',
      want: { kind: 'bundle', module: 'm' },
    },
    {
      what: 'a bare-host source',
      prefix: '',
      repository: 'm/release',
      tag: 'stable',
      want: { kind: 'release', module: 'm', tag: { kind: 'channel', channel: 'Stable' } },
    },
    { what: 'another path', prefix: P, repository: 'deckhouse/other/m/release', tag: 'stable', want: undefined },
    {
      what: 'a prefix that only starts the same',
      prefix: P,
      repository: 'deckhouse/modules-2/m',
      tag: 'v1.0.0',
      want: undefined,
    },
    {
      what: 'deeper than release',
      prefix: P,
      repository: 'deckhouse/modules/m/release/x',
      tag: 'stable',
      want: undefined,
    },
    { what: 'not a release folder', prefix: P, repository: 'deckhouse/modules/m/docs', tag: 'stable', want: undefined },
    {
      what: 'not a module name',
      prefix: P,
      repository: 'deckhouse/modules/Module_1/release',
      tag: 'stable',
      want: undefined,
    },
  ])('$what', ({ prefix, repository, tag, want }) => {
    expect(locateInSource(prefix, repository, tag)).toEqual(want);
  });

  it('finds what the reference functions build', () => {
    const repo = `registry.example.com/${P}`;
    const path = (ref: string) => ref.slice('registry.example.com/'.length);
    expect(locateInSource(P, path(releaseRepository(repo, 'module-1')), 'rock-solid')).toEqual({
      kind: 'release',
      module: 'module-1',
      tag: { kind: 'channel', channel: 'RockSolid' },
    });
    expect(locateInSource(P, path(moduleRepository(repo, 'module-1')), 'v0.1.0')).toEqual({
      kind: 'bundle',
      module: 'module-1',
    });
  });

  it.each([
    { tag: 'alpha', want: { kind: 'channel', channel: 'Alpha' } },
    { tag: 'lts', want: { kind: 'channel', channel: 'Lts' } },
    { tag: 'v0.7.24', want: { kind: 'version', version: 'v0.7.24' } },
    { tag: '1.2.3', want: { kind: 'other' } },
    { tag: 'Stable', want: { kind: 'other' } },
    { tag: 'vX', want: { kind: 'other' } },
  ])('release tag $tag', ({ tag, want }) => {
    expect(classifyReleaseTag(tag)).toEqual(want);
  });
});
