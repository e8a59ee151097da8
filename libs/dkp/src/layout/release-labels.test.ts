import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { registrySpecChecksum, releaseChecksum, releaseLabels, releaseStatusLabel } from './release-labels.ts';

const DIGEST = 'sha256:0d2f8b1c6b4c1f0e3b6a7a9d2b4c8e1f0a3b5c7d9e1f2a3b4c5d6e7f8a9b0c1d';

describe('releaseChecksum: md5 hex of the digest (§5)', () => {
  it('is md5 hex, 32 chars, fits a label', () => {
    const sum = releaseChecksum(DIGEST);
    expect(sum).toBe(createHash('md5').update(DIGEST).digest('hex'));
    expect(sum).toMatch(/^[0-9a-f]{32}$/);
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
      input: { module: 'module-one', source: 'example', digest: DIGEST, policyLabel: 'deckhouse', phase: 'Pending' as const },
      want: {
        module: 'module-one',
        source: 'example',
        'release-checksum': releaseChecksum(DIGEST),
        'modules.deckhouse.io/update-policy': 'deckhouse',
      },
    },
    {
      why: 'named policy, Deployed carries status=deployed',
      input: { module: 'module-1', source: 'example', digest: DIGEST, policyLabel: 'example-update-policy', phase: 'Deployed' as const },
      want: {
        module: 'module-1',
        source: 'example',
        'release-checksum': releaseChecksum(DIGEST),
        'modules.deckhouse.io/update-policy': 'example-update-policy',
        status: 'deployed',
      },
    },
  ])('$why', ({ input, want }) => {
    expect(releaseLabels(input)).toEqual(want);
  });
});

describe('registrySpecChecksum', () => {
  it.each([
    { why: 'scheme default HTTPS equals explicit HTTPS', a: { repo: 'r' }, b: { repo: 'r', scheme: 'HTTPS' }, same: true },
    { why: 'HTTP differs', a: { repo: 'r' }, b: { repo: 'r', scheme: 'HTTP' }, same: false },
    { why: 'credentials differ', a: { repo: 'r', dockerCfg: 'a' }, b: { repo: 'r', dockerCfg: 'b' }, same: false },
    { why: 'repo differs', a: { repo: 'r1' }, b: { repo: 'r2' }, same: false },
  ])('$why', ({ a, b, same }) => {
    expect(registrySpecChecksum(a) === registrySpecChecksum(b)).toBe(same);
    expect(registrySpecChecksum(a)).toMatch(/^[0-9a-f]{32}$/);
  });
});
