import { describe, expect, it } from 'vitest';
import { policyContext } from '../policy/resolve-policy.ts';
import type { ModuleUpdatePolicyInput } from '../policy/types.ts';
import { enabledModuleVersions, planModule, type PlanModuleInput } from './plan.ts';
import type { ReleaseInput } from './types.ts';

// Sunday 6 December 2026, 10:00 UTC.
const NOW = new Date('2026-12-06T10:00:00Z');

const policies: ModuleUpdatePolicyInput[] = [
  {
    metadata: { name: 'auto-monday' },
    apiVersion: 'deckhouse.io/v1alpha2',
    spec: {
      releaseChannel: 'Stable',
      update: { mode: 'Auto', windows: [{ from: '01:00', to: '04:00', days: ['Mon'] }] },
    },
  },
  {
    metadata: { name: 'frozen' },
    apiVersion: 'deckhouse.io/v1alpha2',
    spec: { releaseChannel: 'EarlyAccess', update: { mode: 'Ignore' } },
  },
  {
    metadata: { name: 'manual' },
    apiVersion: 'deckhouse.io/v1alpha2',
    spec: { releaseChannel: 'Stable', update: { mode: 'Manual' } },
  },
];

const deployed: ReleaseInput = {
  name: 'm-v1.0.0',
  version: 'v1.0.0',
  phase: 'Deployed',
  source: 'main',
  policyLabel: 'deckhouse',
};

function input(over: Partial<PlanModuleInput> & { requested?: string }): PlanModuleInput {
  const { requested, ...rest } = over;
  return {
    module: 'm',
    policy: policyContext({ requested, policies }),
    selection: { kind: 'Selected', source: 'main', by: 'OnlyAvailable' },
    releases: [deployed],
    moduleReady: true,
    now: NOW,
    ...rest,
  };
}

describe('planModule: the next release and the gate that holds it', () => {
  it.each([
    {
      why: 'a patch under the embedded AutoPatch policy deploys at once',
      given: input({ offered: 'v1.0.1' }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.0.1', version: 'v1.0.1', exists: false },
        action: 'Deploy',
      },
    },
    {
      why: 'a minor under AutoPatch waits for approval',
      given: input({ offered: '1.1.0' }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.1.0', version: 'v1.1.0', exists: false },
        action: 'Hold',
        gate: 'ManualApproval',
        message: `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`,
        opensWhen: 'once created, when approved: modsync release approve m-v1.1.0',
      },
    },
    {
      why: 'a minor under Auto waits for Monday’s window',
      given: input({ requested: 'auto-monday', offered: 'v1.1.0' }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'Auto',
        policy: 'auto-monday',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.1.0', version: 'v1.1.0', exists: false },
        action: 'Hold',
        gate: 'UpdateWindow',
        message: 'Release is waiting for the update window until 07 Dec 2026 01:00 UTC',
        opensAt: new Date('2026-12-07T01:00:00Z'),
      },
    },
    {
      why: 'a minor under Auto waits for the module to be Ready',
      given: input({ requested: 'auto-monday', offered: 'v1.1.0', moduleReady: false }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'Auto',
        policy: 'auto-monday',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.1.0', version: 'v1.1.0', exists: false },
        action: 'Hold',
        gate: 'ModuleNotReady',
        message: 'awaiting for module v1.0.0 to be ready',
        opensWhen: 'when the module is Ready',
      },
    },
    {
      why: 'an existing release under an Ignore policy stays',
      given: input({
        requested: 'frozen',
        releases: [
          deployed,
          { name: 'm-v1.0.1', version: 'v1.0.1', phase: 'Pending', source: 'main', policyLabel: 'frozen' },
        ],
      }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'EarlyAccess',
        mode: 'Ignore',
        policy: 'frozen',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.0.1', version: 'v1.0.1', exists: true },
        action: 'Hold',
        gate: 'IgnoreMode',
        message: `Update disabled by 'Ignore' update policy`,
        opensWhen: 'when the update policy’s mode is not Ignore',
      },
    },
    {
      why: 'a release whose module dependency is not deployed',
      given: input({
        releases: [
          deployed,
          {
            name: 'm-v1.0.1',
            version: 'v1.0.1',
            phase: 'Pending',
            source: 'main',
            policyLabel: 'deckhouse',
            requirements: { modules: { other: '>=1.0.0' } },
          },
        ],
        platform: { modules: {} },
      }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        next: { name: 'm-v1.0.1', version: 'v1.0.1', exists: true },
        action: 'Hold',
        gate: 'Requirements',
        message: 'the "m" module dependency "other" is not deployed',
        opensWhen: 'when the platform meets the requirements',
      },
    },
    {
      why: 'two sources and no spec.source: a conflict',
      given: input({ selection: { kind: 'Conflict', sources: ['a', 'b'] }, offered: 'v1.0.1' }),
      want: {
        module: 'm',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        action: 'Hold',
        gate: 'SourceConflict',
        message: 'several sources offer the module: a, b',
        opensWhen: 'when the ModuleConfig’s spec.source names one of them',
      },
    },
    {
      why: 'the first release deploys even under Manual (created with apply-now)',
      given: input({ requested: 'manual', releases: [], offered: 'v0.1.0' }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'Manual',
        policy: 'manual',
        next: { name: 'm-v0.1.0', version: 'v0.1.0', exists: false },
        action: 'Deploy',
      },
    },
    {
      why: 'the channel offers what is deployed: up to date',
      given: input({ offered: 'v1.0.0' }),
      want: {
        module: 'm',
        source: 'main',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v1.0.0',
        action: 'UpToDate',
      },
    },
    {
      why: 'no source and nothing deployed',
      given: input({ selection: { kind: 'None' }, releases: [] }),
      want: {
        module: 'm',
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        action: 'Hold',
        gate: 'NoSource',
        message: 'no ModuleSource offers the module',
        opensWhen: 'when a ModuleSource offers it',
      },
    },
  ])('$why', ({ given, want }) => {
    expect(planModule(given)).toEqual(want);
  });
});

describe('enabledModuleVersions', () => {
  it('lists enabled modules with their deployed version, "" with none', () => {
    const configs = [
      { metadata: { name: 'a' }, spec: { enabled: true } },
      { metadata: { name: 'b' }, spec: { enabled: false } },
      { metadata: { name: 'c' }, spec: { enabled: true } },
      { metadata: { name: 'd' } },
    ];
    const versions: Record<string, string> = { a: 'v1.2.3', b: 'v0.1.0' };
    expect(enabledModuleVersions(configs, (name) => versions[name])).toEqual({ a: 'v1.2.3', c: '' });
  });
});
