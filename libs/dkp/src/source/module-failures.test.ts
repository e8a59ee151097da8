import { describe, expect, it } from 'vitest';
import { describeFailure, failureConditions, type ModuleFailure } from './module-failures.ts';

describe('describeFailure: each failure’s reason, message and next step', () => {
  it.each<{ failure: ModuleFailure; reason: string; message: string; next: string }>([
    {
      failure: { kind: 'ReleasesNotCreated', detail: 'GET http://r/v2/m/release/manifests/v1.0.0: 503' },
      reason: 'ReleaseCreationFailed',
      message: 'create releases: GET http://r/v2/m/release/manifests/v1.0.0: 503',
      next: 'Retry',
    },
    {
      failure: { kind: 'SourceNotFound', detail: 'm-v1.0.0' },
      reason: 'SourceNotFound',
      message: 'the ModuleSource of release m-v1.0.0 does not exist',
      next: 'WaitForChange',
    },
    {
      failure: {
        kind: 'InvalidRegistrySettings',
        detail: 'read auth config: "r/m" credentials not found in the dockerCfg',
      },
      reason: 'InvalidRegistrySettings',
      message: 'read auth config: "r/m" credentials not found in the dockerCfg',
      next: 'Stall',
    },
    {
      failure: { kind: 'DownloadFailed', detail: 'r/m:v1.0.0: connect ECONNREFUSED' },
      reason: 'DownloadFailed',
      message: 'download r/m:v1.0.0: connect ECONNREFUSED',
      next: 'Retry',
    },
    {
      failure: { kind: 'DownloadRefused', detail: 'r/m:v1.0.0: MANIFEST_UNKNOWN' },
      reason: 'DownloadRefused',
      message: 'download r/m:v1.0.0: MANIFEST_UNKNOWN',
      next: 'Stall',
    },
    {
      failure: { kind: 'LintRefused', detail: 'lint: 1 error' },
      reason: 'LintGateRefused',
      message: 'lint: 1 error',
      next: 'Stall',
    },
    {
      failure: { kind: 'InvalidModuleDefinition', detail: 'module.yaml is not a mapping' },
      reason: 'InvalidModuleDefinition',
      message: 'module.yaml is not a mapping',
      next: 'Stall',
    },
    {
      failure: { kind: 'InvalidSettings', detail: 'settings.message must be string' },
      reason: 'InvalidSettings',
      message: 'invalid settings: settings.message must be string',
      next: 'Stall',
    },
    {
      failure: { kind: 'InstallFailed', detail: 'helm upgrade --install m: timed out' },
      reason: 'InstallFailed',
      message: 'helm upgrade --install m: timed out',
      next: 'Retry',
    },
  ])('$failure.kind → $reason, $next', ({ failure, reason, message, next }) => {
    expect(describeFailure(failure)).toEqual({ reason, message, next });
  });
});

describe('failureConditions: Flux’s Stalled and Reconciling', () => {
  const T = '2026-12-06T00:00:00Z';
  it.each([
    {
      why: 'a failure to retry: Reconciling True',
      existing: undefined,
      owner: 'installer' as const,
      failure: { kind: 'InstallFailed' as const, detail: 'boom' },
      expected: [
        { type: 'Stalled', status: 'False', reason: 'InstallFailed', message: 'boom' },
        { type: 'Reconciling', status: 'True', reason: 'InstallFailed', message: 'boom' },
      ],
    },
    {
      why: 'a failure only the user can fix: Stalled True',
      existing: undefined,
      owner: 'installer' as const,
      failure: { kind: 'InvalidSettings' as const, detail: 'x' },
      expected: [
        { type: 'Stalled', status: 'True', reason: 'InvalidSettings', message: 'invalid settings: x' },
        { type: 'Reconciling', status: 'False', reason: 'InvalidSettings', message: 'invalid settings: x' },
      ],
    },
    {
      why: 'waiting for a change: neither True',
      existing: undefined,
      owner: 'installer' as const,
      failure: { kind: 'SourceNotFound' as const, detail: 'm-v1.0.0' },
      expected: [
        {
          type: 'Stalled',
          status: 'False',
          reason: 'SourceNotFound',
          message: 'the ModuleSource of release m-v1.0.0 does not exist',
        },
        {
          type: 'Reconciling',
          status: 'False',
          reason: 'SourceNotFound',
          message: 'the ModuleSource of release m-v1.0.0 does not exist',
        },
      ],
    },
    {
      why: 'success of a module that never failed: nothing',
      existing: [{ type: 'IsReady', status: 'True' as const }],
      owner: 'installer' as const,
      failure: undefined,
      expected: [],
    },
    {
      why: 'success after its own failure: both False, Succeeded',
      existing: [{ type: 'Stalled', status: 'True' as const, reason: 'InvalidSettings', lastTransitionTime: T }],
      owner: 'installer' as const,
      failure: undefined,
      expected: [
        { type: 'Stalled', status: 'False', reason: 'Succeeded' },
        { type: 'Reconciling', status: 'False', reason: 'Succeeded' },
      ],
    },
    {
      why: 'the releases step does not clear the installer’s failure',
      existing: [{ type: 'Reconciling', status: 'True' as const, reason: 'InstallFailed', lastTransitionTime: T }],
      owner: 'releases' as const,
      failure: undefined,
      expected: [],
    },
  ])('$why', ({ existing, owner, failure, expected }) => {
    expect(failureConditions(existing, owner, failure)).toEqual(expected);
  });
});
