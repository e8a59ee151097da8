import { describe, expect, it } from 'vitest';

import { mergeConditions, type Condition } from './conditions.ts';

const EARLIER = '2024-12-12T10:49:41Z';
const NOW = new Date('2024-12-16T15:46:26Z');
const STAMP = '2024-12-16T15:46:26Z';

const notInstalled: Condition = {
  type: 'IsReady',
  status: 'False',
  reason: 'NotInstalled',
  message: 'not installed',
  lastProbeTime: EARLIER,
  lastTransitionTime: EARLIER,
};

describe('mergeConditions: merged by type, no change → no write', () => {
  it.each([
    {
      why: 'unchanged keeps timestamps and reports no change',
      existing: [notInstalled],
      patch: { type: 'IsReady', status: 'False' as const, reason: 'NotInstalled', message: 'not installed' },
      want: [notInstalled],
      changed: false,
    },
    {
      why: 'a new reason with the same status keeps lastTransitionTime',
      existing: [notInstalled],
      patch: { type: 'IsReady', status: 'False' as const, reason: 'Downloading', message: 'downloading' },
      want: [
        {
          type: 'IsReady',
          status: 'False',
          reason: 'Downloading',
          message: 'downloading',
          lastProbeTime: STAMP,
          lastTransitionTime: EARLIER,
        },
      ],
      changed: true,
    },
    {
      why: 'a status change moves lastTransitionTime',
      existing: [notInstalled],
      patch: { type: 'IsReady', status: 'True' as const },
      want: [{ type: 'IsReady', status: 'True', lastProbeTime: STAMP, lastTransitionTime: STAMP }],
      changed: true,
    },
    {
      why: 'a new type is appended',
      existing: [notInstalled],
      patch: { type: 'EnabledByModuleConfig', status: 'True' as const },
      want: [
        notInstalled,
        { type: 'EnabledByModuleConfig', status: 'True', lastProbeTime: STAMP, lastTransitionTime: STAMP },
      ],
      changed: true,
    },
    {
      why: 'absent and empty reason are the same',
      existing: [
        {
          type: 'EnabledByModuleManager',
          status: 'False' as const,
          reason: '',
          lastProbeTime: EARLIER,
          lastTransitionTime: EARLIER,
        },
      ],
      patch: { type: 'EnabledByModuleManager', status: 'False' as const },
      want: [
        {
          type: 'EnabledByModuleManager',
          status: 'False',
          reason: '',
          lastProbeTime: EARLIER,
          lastTransitionTime: EARLIER,
        },
      ],
      changed: false,
    },
  ])('$why', ({ existing, patch, want, changed }) => {
    expect(mergeConditions(existing, [patch], NOW)).toEqual({ conditions: want, changed });
  });

  it('does not mutate its input', () => {
    const existing = [{ ...notInstalled }];
    mergeConditions(existing, [{ type: 'IsReady', status: 'True' }], NOW);
    expect(existing).toEqual([notInstalled]);
  });
});
