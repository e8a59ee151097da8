import { describe, expect, it } from 'vitest';

import { isEmbeddedPolicyLabel, policyContext, policyForLabel, resolvePolicy } from './resolve-policy.ts';

const manual = {
  metadata: { name: 'manual' },
  apiVersion: 'deckhouse.io/v1alpha2',
  spec: { releaseChannel: 'Alpha', update: { mode: 'Manual' } },
};
const deckhouseNamed = { metadata: { name: 'deckhouse' }, spec: { releaseChannel: 'Beta', update: { mode: 'Auto' } } };
const settings = { releaseChannel: 'RockSolid' };

describe('resolvePolicy: named MUP if it exists, else the embedded policy (§8, §10.6)', () => {
  it.each([
    {
      why: 'no updatePolicy → embedded, labelled deckhouse',
      requested: undefined,
      policies: [manual],
      want: {
        kind: 'Embedded',
        name: '',
        label: 'deckhouse',
        channel: 'RockSolid',
        mode: 'AutoPatch',
        missing: undefined,
      },
    },
    {
      why: 'empty updatePolicy → embedded',
      requested: '',
      policies: [manual],
      want: {
        kind: 'Embedded',
        name: '',
        label: 'deckhouse',
        channel: 'RockSolid',
        mode: 'AutoPatch',
        missing: undefined,
      },
    },
    {
      why: 'existing MUP → it',
      requested: 'manual',
      policies: [manual],
      want: { kind: 'Named', name: 'manual', label: 'manual', channel: 'Alpha', mode: 'Manual', missing: undefined },
    },
    {
      why: 'missing MUP → embedded, noting it',
      requested: 'gone',
      policies: [manual],
      want: {
        kind: 'Embedded',
        name: '',
        label: 'deckhouse',
        channel: 'RockSolid',
        mode: 'AutoPatch',
        missing: 'gone',
      },
    },
    {
      why: '`deckhouse` requested, none named so → embedded',
      requested: 'deckhouse',
      policies: [],
      want: {
        kind: 'Embedded',
        name: '',
        label: 'deckhouse',
        channel: 'RockSolid',
        mode: 'AutoPatch',
        missing: undefined,
      },
    },
    {
      why: 'a MUP literally named deckhouse is used',
      requested: 'deckhouse',
      policies: [deckhouseNamed],
      want: { kind: 'Named', name: 'deckhouse', label: 'deckhouse', channel: 'Beta', mode: 'Auto', missing: undefined },
    },
  ])('$why', ({ requested, policies, want }) => {
    const resolved = resolvePolicy(policyContext({ requested, policies, deckhouseSettings: settings }));
    expect({
      kind: resolved.kind,
      name: resolved.name,
      label: resolved.label,
      channel: resolved.spec.releaseChannel,
      mode: resolved.spec.update.mode,
      missing: resolved.kind === 'Embedded' ? resolved.missing : undefined,
    }).toEqual(want);
  });
});

describe('policyForLabel: what a release label names', () => {
  const context = policyContext({ policies: [manual], deckhouseSettings: settings });
  it.each([
    { label: undefined, want: 'Embedded' },
    { label: '', want: 'Embedded' },
    { label: 'deckhouse', want: 'Embedded' },
    { label: 'manual', want: 'Named' },
    { label: 'gone', want: undefined },
  ])('$label → $want', ({ label, want }) => {
    expect(policyForLabel(context, label)?.kind).toBe(want);
  });

  it.each([
    { label: undefined, want: true },
    { label: '', want: true },
    { label: 'deckhouse', want: true },
    { label: 'manual', want: false },
  ])('isEmbeddedPolicyLabel($label) = $want', ({ label, want }) => {
    expect(isEmbeddedPolicyLabel(label)).toBe(want);
  });
});
