import { describe, expect, it } from 'vitest';

import { selectSource } from './select-source.ts';

describe('selectSource: the conflict rule (§9)', () => {
  it.each([
    {
      why: 'enabled, one source: auto-selected',
      enabled: true,
      config: undefined,
      current: undefined,
      available: ['example'],
      want: 'Selected example by OnlyAvailable',
    },
    {
      why: 'enabled, two sources, none chosen: Conflict',
      enabled: true,
      config: undefined,
      current: undefined,
      available: ['b', 'a'],
      want: 'Conflict a,b',
    },
    {
      why: 'enabled, two sources, spec.source chosen',
      enabled: true,
      config: 'b',
      current: undefined,
      available: ['a', 'b'],
      want: 'Selected b by ModuleConfig',
    },
    {
      why: 'spec.source wins over the current source (switching)',
      enabled: true,
      config: 'b',
      current: 'a',
      available: ['a', 'b'],
      want: 'Selected b by ModuleConfig',
    },
    {
      why: 'spec.source is taken even when not (yet) available',
      enabled: true,
      config: 'new',
      current: undefined,
      available: ['a'],
      want: 'Selected new by ModuleConfig',
    },
    {
      why: 'the current source stays when another appears',
      enabled: true,
      config: undefined,
      current: 'a',
      available: ['a', 'b'],
      want: 'Selected a by Current',
    },
    {
      why: 'a current source that vanished is dropped: one left → auto',
      enabled: true,
      config: undefined,
      current: 'gone',
      available: ['a'],
      want: 'Selected a by OnlyAvailable',
    },
    {
      why: 'a current source that vanished, two left → Conflict',
      enabled: true,
      config: undefined,
      current: 'gone',
      available: ['a', 'b'],
      want: 'Conflict a,b',
    },
    {
      why: 'enabled, no source at all',
      enabled: true,
      config: undefined,
      current: undefined,
      available: [],
      want: 'None',
    },
    {
      why: 'disabled, one source: not auto-selected (guide: empty SOURCE)',
      enabled: false,
      config: undefined,
      current: undefined,
      available: ['example'],
      want: 'None',
    },
    {
      why: 'disabled, two sources: no Conflict',
      enabled: false,
      config: undefined,
      current: undefined,
      available: ['a', 'b'],
      want: 'None',
    },
    {
      why: 'disabled with spec.source',
      enabled: false,
      config: 'a',
      current: undefined,
      available: ['a', 'b'],
      want: 'Selected a by ModuleConfig',
    },
    {
      why: 'empty spec.source means unset',
      enabled: true,
      config: '',
      current: undefined,
      available: ['a', 'b'],
      want: 'Conflict a,b',
    },
  ])('$why', ({ enabled, config, current, available, want }) => {
    const got = selectSource({ enabled, configSource: config, currentSource: current, availableSources: available });
    const text =
      got.kind === 'Selected'
        ? `Selected ${got.source} by ${got.by}`
        : got.kind === 'Conflict'
          ? `Conflict ${got.sources.join(',')}`
          : 'None';
    expect(text).toBe(want);
  });
});
