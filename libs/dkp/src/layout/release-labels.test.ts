import { describe, expect, it } from 'vitest';

import { registrySpecChecksum, releaseChecksum, releaseLabels, releaseStatusLabel } from './release-labels.ts';

const DIGEST = 'sha256:0d2f8b1c6b4c1f0e3b6a7a9d2b4c8e1f0a3b5c7d9e1f2a3b4c5d6e7f8a9b0c1d';
/** `printf %s "$DIGEST" | md5sum` */
const CHECKSUM = 'efc384aa63d8ab828f3b9be45201556a';

describe('releaseChecksum: md5 hex of the digest (§5)', () => {
  it('is md5 hex, 32 chars, fits a label', () => {
    expect(releaseChecksum(DIGEST)).toBe(CHECKSUM);
  });
});

describe('releaseStatusLabel', () => {
  it.each([
    { phase: 'Deployed', want: 'deployed' },
    { phase: 'Superseded', want: 'superseded' },
    { phase: 'Suspended', want: 'suspended' },
    { phase: 'Skipped', want: 'skipped' },
    { phase: 'Pending', want: undefined },
    { phase: 'Terminating', want: undefined },
    { phase: '', want: undefined },
  ] as const)('$phase → $want', ({ phase, want }) => {
    expect(releaseStatusLabel(phase)).toBe(want);
  });
});

describe('releaseLabels', () => {
  it.each([
    {
      why: 'embedded policy shows deckhouse, Pending has no status label',
      input: {
        module: 'module-one',
        source: 'example',
        digest: DIGEST,
        policyLabel: 'deckhouse',
        phase: 'Pending' as const,
      },
      want: {
        module: 'module-one',
        source: 'example',
        'release-checksum': CHECKSUM,
        'modules.deckhouse.io/update-policy': 'deckhouse',
      },
    },
    {
      why: 'named policy, Deployed carries status=deployed',
      input: {
        module: 'module-1',
        source: 'example',
        digest: DIGEST,
        policyLabel: 'example-update-policy',
        phase: 'Deployed' as const,
      },
      want: {
        module: 'module-1',
        source: 'example',
        'release-checksum': CHECKSUM,
        'modules.deckhouse.io/update-policy': 'example-update-policy',
        status: 'deployed',
      },
    },
  ])('$why', ({ input, want }) => {
    expect(releaseLabels(input)).toEqual(want);
  });
});

describe('registrySpecChecksum', () => {
  it('is the md5 hex of the canonical JSON of spec.registry, defaults filled in', () => {
    // printf %s '{"repo":"r","scheme":"HTTPS","dockerCfg":"","ca":""}' | md5sum
    expect(registrySpecChecksum({ repo: 'r' })).toBe('1ab8ff69374c536e55f16ced195d6979');
  });

  it.each([
    {
      why: 'scheme default HTTPS equals explicit HTTPS',
      a: { repo: 'r' },
      b: { repo: 'r', scheme: 'HTTPS' },
      same: true,
    },
    { why: 'HTTP differs', a: { repo: 'r' }, b: { repo: 'r', scheme: 'HTTP' }, same: false },
    { why: 'credentials differ', a: { repo: 'r', dockerCfg: 'a' }, b: { repo: 'r', dockerCfg: 'b' }, same: false },
    { why: 'repo differs', a: { repo: 'r1' }, b: { repo: 'r2' }, same: false },
  ])('$why', ({ a, b, same }) => {
    expect(registrySpecChecksum(a) === registrySpecChecksum(b)).toBe(same);
    expect(registrySpecChecksum(a)).toMatch(/^[0-9a-f]{32}$/);
  });
});
