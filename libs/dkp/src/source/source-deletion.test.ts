import { describe, expect, it } from 'vitest';

import {
  decideSourceDeletion,
  withSourceFinalizers,
  withoutSourceFinalizers,
  type SourceDeletionInput,
} from './source-deletion.ts';

const BLOCKED =
  'The source contains at least 1 deployed release and cannot be deleted. Please delete target ModuleReleases manually to continue';

const base = (over: Partial<SourceDeletionInput>): SourceDeletionInput => ({
  source: 'example',
  deployed: [],
  enabledModules: new Set(),
  otherSources: () => [],
  ...over,
});

describe('decideSourceDeletion (dkp-contract.md §1 "Deletion")', () => {
  it.each([
    {
      why: 'no Deployed release: released, nothing kept',
      input: base({}),
      expected: { kind: 'Release', keep: [], forced: false },
    },
    {
      why: 'a Deployed release of a disabled module: released, the release is collected',
      input: base({ deployed: [{ name: 'm-v1.0.0', module: 'm' }] }),
      expected: { kind: 'Release', keep: [], forced: false },
    },
    {
      why: 'an enabled module with no other source: blocked with DKP message',
      input: base({ deployed: [{ name: 'm-v1.0.0', module: 'm' }], enabledModules: new Set(['m']) }),
      expected: { kind: 'Blocked', message: BLOCKED, modules: ['m'] },
    },
    {
      why: 'an enabled module another source offers: released, its Deployed release kept',
      input: base({
        deployed: [{ name: 'm-v1.0.0', module: 'm' }],
        enabledModules: new Set(['m']),
        otherSources: () => ['mirror'],
      }),
      expected: { kind: 'Release', keep: ['m-v1.0.0'], forced: false },
    },
    {
      why: 'force-delete "true": released even when stranded, the Deployed release kept',
      input: base({
        annotations: { 'modules.deckhouse.io/force-delete': 'true' },
        deployed: [{ name: 'm-v1.0.0', module: 'm' }],
        enabledModules: new Set(['m']),
      }),
      expected: { kind: 'Release', keep: ['m-v1.0.0'], forced: true },
    },
    {
      why: 'force-delete other than "true" (DKP compares exactly): still blocked',
      input: base({
        annotations: { 'modules.deckhouse.io/force-delete': 'True' },
        deployed: [{ name: 'm-v1.0.0', module: 'm' }],
        enabledModules: new Set(['m']),
      }),
      expected: { kind: 'Blocked', message: BLOCKED, modules: ['m'] },
    },
    {
      why: 'two stranded modules and one that can move: blocked, names the stranded ones sorted',
      input: base({
        deployed: [
          { name: 'b-v1.0.0', module: 'b' },
          { name: 'a-v2.0.0', module: 'a' },
          { name: 'c-v1.0.0', module: 'c' },
        ],
        enabledModules: new Set(['a', 'b', 'c']),
        otherSources: (m) => (m === 'c' ? ['mirror'] : []),
      }),
      expected: { kind: 'Blocked', message: BLOCKED, modules: ['a', 'b'] },
    },
  ])('$why', ({ input, expected }) => {
    expect(decideSourceDeletion(input)).toEqual(expected);
  });
});

describe('source finalizers', () => {
  it.each([
    { current: undefined, added: ['modules.deckhouse.io/module-exists', 'modules.deckhouse.io/release-exists'] },
    {
      current: ['other/keep'],
      added: ['other/keep', 'modules.deckhouse.io/module-exists', 'modules.deckhouse.io/release-exists'],
    },
    {
      current: ['modules.deckhouse.io/release-exists'],
      added: ['modules.deckhouse.io/release-exists', 'modules.deckhouse.io/module-exists'],
    },
    { current: ['modules.deckhouse.io/module-exists', 'modules.deckhouse.io/release-exists'], added: undefined },
  ])('with: $current → $added', ({ current, added }) => {
    expect(withSourceFinalizers(current)).toEqual(added);
  });

  it.each([
    { current: undefined, left: [] },
    {
      current: ['modules.deckhouse.io/module-exists', 'other/keep', 'modules.deckhouse.io/release-exists'],
      left: ['other/keep'],
    },
  ])('without: $current → $left', ({ current, left }) => {
    expect(withoutSourceFinalizers(current)).toEqual(left);
  });
});
