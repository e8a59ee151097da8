import { describe, expect, it } from 'vitest';

import { APPROVAL_MESSAGE, holdMessage, holdRecheckAt, type HoldReason } from './hold-reasons.ts';

const t = new Date('2026-11-27T13:30:00Z');

describe('holdMessage: the spec and guide wording (§5, §10.5, §11.1)', () => {
  it.each<{ hold: HoldReason; want: string }>([
    {
      hold: { reason: 'PolicyNotFound', policy: 'example-update-policy' },
      want: 'Update policy example-update-policy not found',
    },
    { hold: { reason: 'IgnorePolicy' }, want: `Update disabled by 'Ignore' update policy` },
    { hold: { reason: 'AwaitingRelease', version: 'v1.2.4' }, want: 'awaiting for v1.2.4 release to be deployed' },
    {
      hold: { reason: 'MinorVersionStep', previous: 'v1.2.3' },
      want: 'minor version is greater than deployed v1.2.3 by one',
    },
    { hold: { reason: 'MajorVersionStep', previous: 'v1.2.3' }, want: 'major version is greater than deployed v1.2.3' },
    { hold: { reason: 'ModuleNotReady', deployed: 'v0.7.24' }, want: 'awaiting for module v0.7.24 to be ready' },
    { hold: { reason: 'ModuleNotReady' }, want: 'awaiting for module to be ready' },
    {
      hold: { reason: 'AwaitingApproval' },
      want: `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`,
    },
    { hold: { reason: 'Postponed', until: t }, want: 'Release is postponed until 27 Nov 2026 13:30 UTC' },
    {
      hold: { reason: 'OutsideUpdateWindow', until: t, postponed: false },
      want: 'Release is waiting for the update window until 27 Nov 2026 13:30 UTC',
    },
    {
      hold: { reason: 'OutsideUpdateWindow', until: t, postponed: true },
      want: 'Release is postponed, waiting for the update window until 27 Nov 2026 13:30 UTC',
    },
    { hold: { reason: 'OutsideUpdateWindow', postponed: false }, want: 'Release is waiting for the update window' },
    {
      hold: {
        reason: 'RequirementsNotMet',
        failures: [
          { kind: 'DeckhouseVersion', constraint: '>= 1.66', current: 'v1.65.0', detail: 'v1.65.0 is less than 1.66' },
          { kind: 'ModuleNotDeployed', module: 'm', dependency: 'd' },
        ],
      },
      want: 'requirements are not satisfied: current deckhouse version is not suitable: v1.65.0 is less than 1.66; the "m" module dependency "d" is not deployed',
    },
  ])('$hold.reason → $want', ({ hold, want }) => {
    expect(holdMessage(hold)).toBe(want);
  });

  it('the approval message is the guide text verbatim', () => {
    expect(APPROVAL_MESSAGE).toBe('Waiting for the \'release.deckhouse.io/approved: "true"\' annotation');
  });
});

describe('holdRecheckAt: only clock-bound holds', () => {
  it.each<{ hold: HoldReason; want: Date | undefined }>([
    { hold: { reason: 'Postponed', until: t }, want: t },
    { hold: { reason: 'OutsideUpdateWindow', until: t, postponed: false }, want: t },
    { hold: { reason: 'OutsideUpdateWindow', postponed: false }, want: undefined },
    { hold: { reason: 'AwaitingApproval' }, want: undefined },
    { hold: { reason: 'ModuleNotReady' }, want: undefined },
  ])('$hold.reason', ({ hold, want }) => {
    expect(holdRecheckAt(hold)).toBe(want);
  });
});
