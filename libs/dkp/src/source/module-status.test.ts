import { describe, expect, it } from 'vitest';

import { deriveModuleStatus, readyColumn, type ModuleStatusInput } from './module-status.ts';

function render(input: ModuleStatusInput): string {
  const d = deriveModuleStatus(input);
  const conditions = d.conditions
    .map((c) => `${c.type}=${c.status}${c.reason === undefined ? '' : `/${c.reason}/${c.message ?? ''}`}`)
    .join(' ');
  return `phase=${d.phase ?? '-'} source=${d.source ?? '-'} ${conditions}`;
}

describe('deriveModuleStatus: Available, Conflict, disabled (§2, §9, §10.9)', () => {
  it.each<{ why: string; input: ModuleStatusInput; want: string }>([
    {
      why: 'a new module from one source, no ModuleConfig (the guide)',
      input: { availableSources: ['example'], installed: false },
      want: 'phase=Available source=- EnabledByModuleConfig=False/Disabled/disabled EnabledByModuleManager=False IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'enabled: false',
      input: { config: { enabled: false }, availableSources: ['example'], installed: false },
      want: 'phase=Available source=- EnabledByModuleConfig=False/Disabled/disabled EnabledByModuleManager=False/ModuleConfig/turned off by module config IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'disabled after being installed: Downloaded',
      input: {
        config: { enabled: false },
        currentSource: 'example',
        availableSources: ['example'],
        installed: true,
        currentPhase: 'Ready',
      },
      want: 'phase=Downloaded source=example EnabledByModuleConfig=False/Disabled/disabled EnabledByModuleManager=False/ModuleConfig/turned off by module config IsReady=False/ModuleConfig/turned off by module config',
    },
    {
      why: 'ModuleConfig deleted: EnabledByModuleConfig Unknown, source cleared (§11.7)',
      input: {
        configDeleted: true,
        currentSource: 'example',
        availableSources: ['example', 'other'],
        installed: false,
      },
      want: 'phase=Available source=- EnabledByModuleConfig=Unknown EnabledByModuleManager=False IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'enabled, two sources, none chosen: Conflict',
      input: { config: { enabled: true }, availableSources: ['a', 'b'], installed: false, currentPhase: 'Available' },
      want: 'phase=Conflict source=- EnabledByModuleConfig=True EnabledByModuleManager=False IsReady=False/Conflict/several available sources',
    },
    {
      why: 'Conflict resolved by spec.source: back to Available, source set',
      input: {
        config: { enabled: true, source: 'b' },
        availableSources: ['a', 'b'],
        installed: false,
        currentPhase: 'Conflict',
      },
      want: 'phase=Available source=b EnabledByModuleConfig=True IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'disabling a Conflict module returns it to Available',
      input: { config: { enabled: false }, availableSources: ['a', 'b'], installed: false, currentPhase: 'Conflict' },
      want: 'phase=Available source=- EnabledByModuleConfig=False/Disabled/disabled EnabledByModuleManager=False/ModuleConfig/turned off by module config IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'enabled with one source: auto-selected, Available until releases come',
      input: { config: { enabled: true }, availableSources: ['example'], installed: false, currentPhase: 'Available' },
      want: 'phase=Available source=example EnabledByModuleConfig=True IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'enabled and Downloading: the lifecycle owns the phase',
      input: {
        config: { enabled: true },
        currentSource: 'example',
        availableSources: ['example'],
        installed: false,
        currentPhase: 'Downloading',
      },
      want: 'phase=- source=example EnabledByModuleConfig=True',
    },
    {
      why: 'enabled and Ready: untouched',
      input: {
        config: { enabled: true },
        currentSource: 'example',
        availableSources: ['example'],
        installed: true,
        currentPhase: 'Ready',
      },
      want: 'phase=- source=example EnabledByModuleConfig=True',
    },
    {
      why: 're-enabled after Downloaded: Reconciling',
      input: {
        config: { enabled: true },
        currentSource: 'example',
        availableSources: ['example'],
        installed: true,
        currentPhase: 'Downloaded',
      },
      want: 'phase=Reconciling source=example EnabledByModuleConfig=True',
    },
    {
      why: 'out of Conflict with its first release already Deployed (by another replica): Downloading, not Reconciling',
      input: {
        config: { enabled: true, source: 'b' },
        availableSources: ['a', 'b'],
        installed: true,
        currentPhase: 'Conflict',
        releasesCreated: true,
      },
      want: 'phase=Downloading source=b EnabledByModuleConfig=True EnabledByModuleManager=False IsReady=False/Downloading/downloading',
    },
    {
      why: 'an enabled module whose sources all vanished keeps going (availableSources: [])',
      input: {
        config: { enabled: true },
        currentSource: 'gone',
        availableSources: [],
        installed: true,
        currentPhase: 'Ready',
      },
      want: 'phase=- source=- EnabledByModuleConfig=True',
    },
    {
      why: 'enabled, releases created from its source: Downloading (guide)',
      input: {
        config: { enabled: true, source: 'example' },
        availableSources: ['example'],
        installed: false,
        currentPhase: 'Available',
        releasesCreated: true,
      },
      want: 'phase=Downloading source=example EnabledByModuleConfig=True EnabledByModuleManager=False IsReady=False/Downloading/downloading',
    },
    {
      why: 'releases exist but several sources and none chosen: Conflict wins',
      input: {
        config: { enabled: true },
        availableSources: ['a', 'b'],
        installed: false,
        currentPhase: 'Available',
        releasesCreated: true,
      },
      want: 'phase=Conflict source=- EnabledByModuleConfig=True EnabledByModuleManager=False IsReady=False/Conflict/several available sources',
    },
    {
      why: 'releases exist, module disabled: Available, not Downloading',
      input: {
        config: { enabled: false },
        availableSources: ['a'],
        installed: false,
        currentPhase: 'Available',
        releasesCreated: true,
      },
      want: 'phase=Available source=- EnabledByModuleConfig=False/Disabled/disabled EnabledByModuleManager=False/ModuleConfig/turned off by module config IsReady=False/NotInstalled/not installed',
    },
    {
      why: 'already Downloading: left to the release lifecycle',
      input: {
        config: { enabled: true },
        currentSource: 'a',
        availableSources: ['a'],
        installed: false,
        currentPhase: 'Downloading',
        releasesCreated: true,
      },
      want: 'phase=- source=a EnabledByModuleConfig=True',
    },
  ])('$why', ({ input, want }) => {
    expect(render(input)).toBe(want);
  });
});

describe('readyColumn: status.ready for the READY column (§10.10)', () => {
  it.each<{ phase: Parameters<typeof readyColumn>[0]; ready: string | undefined; want: string }>([
    { phase: 'Ready', ready: 'True', want: 'True' },
    { phase: 'Available', ready: 'False', want: 'False' },
    { phase: 'Downloading', ready: 'Unknown', want: 'False' },
    { phase: 'Available', ready: undefined, want: 'False' },
    { phase: 'Error', ready: 'True', want: 'Error' },
    { phase: 'Error', ready: 'False', want: 'Error' },
  ])('phase $phase, IsReady $ready → $want', ({ phase, ready, want }) => {
    const conditions = ready === undefined ? [] : [{ type: 'IsReady', status: ready }];
    expect(readyColumn(phase, conditions)).toBe(want);
  });
});
