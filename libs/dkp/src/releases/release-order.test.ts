import { describe, expect, it } from 'vitest';

import type { ReleasePhase } from '../layout/release-labels.ts';
import { mustParseVersion } from '../version.ts';
import { orderTask, skipMessage, type OrderTask, type OrderedRelease } from './release-order.ts';

function releases(spec: string): OrderedRelease[] {
  return spec.split(',').map((item) => {
    const [version = '', phase = 'Pending', ...flags] = item.trim().split(/\s+/);
    const v = mustParseVersion(version);
    return {
      input: {
        name: `m-v${v.version}`,
        version,
        phase: phase as ReleasePhase,
        ...(flags.includes('+force') ? { annotations: { 'modules.deckhouse.io/force': 'true' } } : {}),
      },
      version: v,
      text: `v${v.version}`,
      phase: phase as ReleasePhase,
    };
  });
}

function render(task: OrderTask): string {
  switch (task.kind) {
    case 'Process':
      return `Process${task.single ? ' single' : ''}${task.patch ? ' patch' : ' minor'}`;
    case 'Skip':
      return `Skip ${task.reason}`;
    case 'Await':
      return `Await ${task.hold.reason}`;
  }
}

describe("orderTask: DKP's task calculator (§8 Ordering)", () => {
  it.each([
    {
      why: 'a single release is processed as a minor',
      list: '1.0.0 Pending',
      at: '1.0.0',
      want: 'Process single minor',
    },
    { why: 'patch over deployed', list: '1.2.0 Deployed, 1.2.1 Pending', at: '1.2.1', want: 'Process patch' },
    { why: 'minor over deployed', list: '1.2.0 Deployed, 1.3.0 Pending', at: '1.3.0', want: 'Process minor' },
    { why: 'below deployed', list: '1.2.0 Pending, 1.3.0 Deployed', at: '1.2.0', want: 'Skip BelowDeployed' },
    {
      why: 'below a forced release',
      list: '1.2.0 Deployed, 1.3.0 Pending, 1.4.0 Pending +force',
      at: '1.3.0',
      want: 'Skip BelowForced',
    },
    {
      why: 'a newer patch follows',
      list: '1.2.0 Deployed, 1.2.1 Pending, 1.2.2 Pending',
      at: '1.2.1',
      want: 'Skip NewerPatch',
    },
    {
      why: 'the newest patch, a minor follows',
      list: '1.2.0 Deployed, 1.2.1 Pending, 1.3.0 Pending',
      at: '1.2.1',
      want: 'Process patch',
    },
    {
      why: 'previous Pending blocks a minor',
      list: '1.2.0 Deployed, 1.2.1 Pending, 1.3.0 Pending',
      at: '1.3.0',
      want: 'Await AwaitingRelease',
    },
    { why: 'two minors ahead', list: '1.2.0 Deployed, 1.4.0 Pending', at: '1.4.0', want: 'Await MinorVersionStep' },
    { why: 'major ahead', list: '1.2.0 Deployed, 2.0.0 Pending', at: '2.0.0', want: 'Await MajorVersionStep' },
    { why: '0 → 1 passes', list: '0.9.0 Deployed, 1.0.0 Pending', at: '1.0.0', want: 'Process minor' },
    {
      why: 'first of several with nothing deployed counts as a patch',
      list: '1.0.0 Pending, 1.1.0 Pending',
      at: '1.0.0',
      want: 'Process patch',
    },
    {
      why: 'patch of previous but not of deployed is a minor',
      list: '1.2.0 Deployed, 1.3.0 Skipped, 1.3.1 Pending',
      at: '1.3.1',
      want: 'Process minor',
    },
  ])('$why: $want', ({ list, at, want }) => {
    const sorted = releases(list);
    const index = sorted.findIndex((r) => r.text === `v${at}`);
    const deployed = sorted.filter((r) => r.phase === 'Deployed').at(-1);
    const forced = [...sorted].reverse().find((r) => r.phase === 'Pending' && r.input.annotations !== undefined);
    const task = orderTask(sorted, index, deployed, forced, { phaseOf: (r) => r.phase, awaitingOf: () => undefined });
    expect(render(task)).toBe(want);
  });

  it.each([
    { reason: 'UpdateConstraints', want: 'skipped by update constraints' },
    { reason: 'NewerPatch', want: '' },
    { reason: 'BelowDeployed', want: '' },
    { reason: 'BelowForced', want: '' },
  ] as const)('skipMessage($reason) = "$want"', ({ reason, want }) => {
    expect(skipMessage(reason)).toBe(want);
  });
});
