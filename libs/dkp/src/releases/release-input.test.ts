import { describe, expect, it } from 'vitest';
import { releaseModule, releaseSource, toReleaseInput, type ModuleReleaseObject } from './release-input.ts';

const release = (
  over: Partial<ModuleReleaseObject['metadata']>,
  spec: Partial<ModuleReleaseObject['spec']> = {},
): ModuleReleaseObject => ({
  metadata: {
    name: 'm-v1.2.0',
    labels: { source: 'by-label', 'modules.deckhouse.io/update-policy': 'nightly' },
    ...over,
  },
  spec: { version: 'v1.2.0', ...spec },
  status: { phase: 'Pending', message: 'waiting', approved: false },
});

describe('a ModuleRelease as the release decision reads it', () => {
  it.each([
    {
      why: 'the controller ownerReference names the source',
      given: release({ ownerReferences: [{ kind: 'ModuleSource', name: 'by-owner' }] }),
      want: 'by-owner',
    },
    { why: 'else the source label', given: release({}), want: 'by-label' },
    { why: 'neither', given: release({ labels: {} }), want: undefined },
  ])('source: $why', ({ given, want }) => {
    expect(releaseSource(given)).toBe(want);
  });

  it.each([
    {
      why: 'the module label',
      given: release({ labels: { module: 'by-label' } }, { moduleName: 'by-spec' }),
      want: 'by-label',
    },
    { why: 'else spec.moduleName', given: release({ labels: {} }, { moduleName: 'by-spec' }), want: 'by-spec' },
  ])('module: $why', ({ given, want }) => {
    expect(releaseModule(given)).toBe(want);
  });

  it('reads every field the decision needs; constraints from either field name, incomplete ones dropped', () => {
    const given = release(
      { annotations: { 'modules.deckhouse.io/apply-now': 'true' } },
      {
        applyAfter: '2026-12-07T00:00:00Z',
        requirements: { deckhouse: '>=1.68' },
        update: { versions: [{ from: '1.0', to: '1.2' }, { from: '1.1' }] },
      },
    );
    expect(toReleaseInput(given)).toEqual({
      name: 'm-v1.2.0',
      version: 'v1.2.0',
      phase: 'Pending',
      message: 'waiting',
      approved: false,
      source: 'by-label',
      policyLabel: 'nightly',
      annotations: { 'modules.deckhouse.io/apply-now': 'true' },
      applyAfter: '2026-12-07T00:00:00Z',
      requirements: { deckhouse: '>=1.68' },
      updateConstraints: [{ from: '1.0', to: '1.2' }],
    });
  });
});
