// Property (fast-check): the release decision depends on the set of releases, never on the order they are listed in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyContext } from '../policy/resolve-policy.ts';
import type { UpdateMode } from '../policy/types.ts';
import { decideReleases } from './decide-releases.ts';
import type { ReleasePhase } from '../layout/release-labels.ts';
import type { ReleaseInput } from './types.ts';

const PHASES: (ReleasePhase | undefined)[] = ['Pending', 'Deployed', 'Superseded', 'Skipped', 'Suspended', undefined];
const ANNOTATIONS: Record<string, string>[] = [
  {},
  {},
  {},
  { 'modules.deckhouse.io/approved': 'true' },
  { 'modules.deckhouse.io/apply-now': 'true' },
  { 'modules.deckhouse.io/force': 'true' },
];

/** A release of module-one at 0–2.0–4.0–3, any phase, sometimes approved, applied now or forced. */
const releaseArb = fc
  .record({
    major: fc.integer({ min: 0, max: 2 }),
    minor: fc.integer({ min: 0, max: 4 }),
    patch: fc.integer({ min: 0, max: 3 }),
    phase: fc.constantFrom(...PHASES),
    annotations: fc.constantFrom(...ANNOTATIONS),
  })
  .map(
    ({ major, minor, patch, phase, annotations }): ReleaseInput => ({
      name: `module-one-v${major}.${minor}.${patch}`,
      version: `${major}.${minor}.${patch}`,
      ...(phase ? { phase } : {}),
      annotations,
      policyLabel: 'p',
      source: 'example',
    }),
  );

/** Distinct versions (a release name is unique), 1 to 8 of them. */
const releasesArb = fc.uniqueArray(releaseArb, { minLength: 1, maxLength: 8, selector: (r) => r.name });

/** The releases and the same releases in another order. */
const releasesAndPermutation = releasesArb.chain((rs) =>
  fc.tuple(fc.constant(rs), fc.shuffledSubarray(rs, { minLength: rs.length, maxLength: rs.length })),
);

describe('decideReleases (property)', () => {
  it('gives the same decision for any order of the same releases', () => {
    fc.assert(
      fc.property(
        releasesAndPermutation,
        fc.constantFrom<UpdateMode>('Auto', 'AutoPatch', 'Manual'),
        fc.boolean(),
        ([releases, shuffled], mode, moduleReady) => {
          const policy = policyContext({
            requested: 'p',
            policies: [
              {
                metadata: { name: 'p' },
                apiVersion: 'deckhouse.io/v1alpha2',
                spec: { releaseChannel: 'Stable', update: { mode } },
              },
            ],
          });
          const now = new Date('2026-11-23T13:45:00Z');
          const decide = (rs: ReleaseInput[]) =>
            decideReleases({ module: 'module-one', releases: rs, policy, now, moduleReady });
          expect(decide(shuffled)).toEqual(decide(releases));
          expect(decide([...releases].reverse())).toEqual(decide(releases));
        },
      ),
      { numRuns: 500 },
    );
  });
});
