import { describe, expect, it } from 'vitest';
import { backingOff, decideHelmAction, failedInstall, type HelmAction, type HelmRevision } from './helm-state.ts';

const WANTED = 'modsync v1.1.0 sha256:aaaaaaaaaaaa settings=0123456789abcdef';
const OLD = 'modsync v1.0.0 sha256:bbbbbbbbbbbb settings=0123456789abcdef';
const r = (revision: number, status: string, description = OLD): HelmRevision => ({ revision, status, description });

describe('decideHelmAction: what to do with a module’s Helm release, under its install lock', () => {
  it.each<{ why: string; history: HelmRevision[]; want: HelmAction }>([
    { why: 'no release: install', history: [], want: { kind: 'install' } },
    {
      why: 'deployed from the wanted fingerprint: current (no download)',
      history: [r(1, 'superseded'), r(2, 'deployed', WANTED)],
      want: { kind: 'current' },
    },
    {
      why: 'history in any order: the highest revision counts',
      history: [r(2, 'deployed', WANTED), r(1, 'superseded')],
      want: { kind: 'current' },
    },
    {
      why: 'deployed from another version or settings: install',
      history: [r(1, 'deployed')],
      want: { kind: 'install' },
    },
    {
      why: 'the wanted description on a failed revision: install again',
      history: [r(1, 'deployed'), r(2, 'failed', WANTED)],
      want: { kind: 'install' },
    },
    {
      why: 'the wanted fingerprint only on an older revision: install',
      history: [r(1, 'superseded', WANTED), r(2, 'deployed')],
      want: { kind: 'install' },
    },
    {
      why: 'a rollback (description "Rollback to 1"): install',
      history: [r(1, 'superseded', WANTED), r(2, 'deployed', 'Rollback to 1')],
      want: { kind: 'install' },
    },
    {
      why: 'interrupted first install, nothing deployed before: uninstall',
      history: [r(1, 'pending-install', WANTED)],
      want: { kind: 'uninstall', status: 'pending-install', revision: 1 },
    },
    {
      why: 'interrupted upgrade: back to the deployed revision (still deployed while the upgrade runs)',
      history: [r(1, 'superseded'), r(2, 'deployed'), r(3, 'pending-upgrade', WANTED)],
      want: { kind: 'rollback', status: 'pending-upgrade', revision: 3, to: 2 },
    },
    {
      why: 'interrupted upgrade over failed revisions only: uninstall',
      history: [r(1, 'failed'), r(2, 'pending-upgrade', WANTED)],
      want: { kind: 'uninstall', status: 'pending-upgrade', revision: 2 },
    },
    {
      why: 'interrupted rollback: back to the deployed revision',
      history: [r(1, 'superseded'), r(2, 'deployed'), r(3, 'pending-rollback', 'Rollback to 1')],
      want: { kind: 'rollback', status: 'pending-rollback', revision: 3, to: 2 },
    },
    {
      why: 'interrupted install after an uninstall kept in history: uninstall',
      history: [r(1, 'uninstalled'), r(2, 'pending-install', WANTED)],
      want: { kind: 'uninstall', status: 'pending-install', revision: 2 },
    },
    {
      why: 'interrupted uninstall: finish it, then install',
      history: [r(1, 'superseded'), r(2, 'uninstalling')],
      want: { kind: 'uninstall', status: 'uninstalling', revision: 2 },
    },
  ])('$why', ({ history, want }) => {
    expect(decideHelmAction(history, WANTED)).toEqual(want);
  });
});

describe('failedInstall / backingOff: the backoff of a failed install, shared by the replicas', () => {
  const now = 1_000_000;
  it('starts at 30 s and doubles to 10 min while the fingerprint stays the same', () => {
    let record = failedInstall(undefined, WANTED, 'not ready', now);
    expect(record).toEqual({ fingerprint: WANTED, message: 'not ready', attempts: 1, until: now + 30_000 });
    const untils = [record.until - now];
    for (let i = 0; i < 6; i++) {
      record = failedInstall(record, WANTED, 'not ready', now);
      untils.push(record.until - now);
    }
    expect(untils).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('a new fingerprint (release or settings) starts again at the first attempt', () => {
    const old = failedInstall(failedInstall(undefined, OLD, 'x', now), OLD, 'x', now);
    expect(failedInstall(old, WANTED, 'y', now)).toMatchObject({
      fingerprint: WANTED,
      attempts: 1,
      until: now + 30_000,
    });
  });

  it('holds back only the same fingerprint, only until `until`', () => {
    const record = failedInstall(undefined, WANTED, 'x', now);
    expect(backingOff(record, WANTED, now + 29_999)).toBe(record);
    expect(backingOff(record, WANTED, now + 30_000)).toBeUndefined();
    expect(backingOff(record, OLD, now)).toBeUndefined();
    expect(backingOff(undefined, WANTED, now)).toBeUndefined();
  });
});
