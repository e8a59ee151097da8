import { describe, expect, it } from 'vitest';
import type { ModuleSource } from '@modsync/k8s';
import { EventOverlay, isNewerThanStatus, offerOf } from './offers.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const DIGEST2 = `sha256:${'b'.repeat(64)}`;

function source(modules: NonNullable<ModuleSource['status']>['modules'], syncTime = '2026-01-01T00:00:10Z'): ModuleSource {
  return { apiVersion: 'deckhouse.io/v1alpha1', kind: 'ModuleSource', metadata: { name: 'example' }, spec: { registry: { repo: 'r.example/m' } }, status: { syncTime, modules } };
}

const channels: Record<string, string> = { '': 'Stable', manual: 'Stable', alpha: 'Alpha' };
const channelOf = (policy: string) => channels[policy];

describe('offerOf: what a source offers of a module', () => {
  it.each([
    { why: 'listed with version and checksum', entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' }, want: { version: 'v1.2.3', checksum: DIGEST } },
    { why: 'resolved for another policy on the same channel', entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: 'manual' }, want: { version: 'v1.2.3', checksum: DIGEST } },
    { why: 'resolved for a policy on another channel: no version yet', entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: 'alpha' }, want: undefined },
    { why: 'pull error: version unknown', entry: { name: 'm', version: 'unknown', pullError: 'boom', policy: '' }, want: undefined },
  ])('$why', ({ entry, want }) => {
    const offer = offerOf({ source: source([entry]), module: 'm', channel: 'Stable', channelOf });
    expect(offer?.source).toBe('example');
    expect(offer?.release).toEqual(want);
  });

  it('a module the status does not list is not offered', () => {
    expect(offerOf({ source: source([]), module: 'm', channel: 'Stable', channelOf })).toBeUndefined();
  });

  it('an event newer than the status wins: its channel, or gone', () => {
    const at = new Date('2026-01-01T00:00:11Z');
    const present = { seq: 2, at, state: { present: true as const, channels: { Stable: { version: 'v1.2.4', checksum: DIGEST2 } }, pullError: null } };
    const offer = offerOf({ source: source([{ name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' }]), module: 'm', channel: 'Stable', channelOf, event: present });
    expect(offer).toMatchObject({ from: 'event', release: { version: 'v1.2.4', checksum: DIGEST2 } });
    const gone = { seq: 3, at, state: { present: false as const } };
    expect(offerOf({ source: source([{ name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' }]), module: 'm', channel: 'Stable', channelOf, event: gone })).toBeUndefined();
  });
});

describe('EventOverlay', () => {
  const event = (seq: number, at: string, version: string) => ({
    source: 'example',
    module: 'm',
    seq,
    at,
    state: { present: true as const, channels: { Stable: { version, checksum: DIGEST } }, pullError: null },
  });

  it('keeps the newest event by seq, whatever the arrival order', () => {
    const overlay = new EventOverlay();
    overlay.record(event(5, '2026-01-01T00:00:20Z', 'v1.0.5'));
    overlay.record(event(4, '2026-01-01T00:00:21Z', 'v1.0.4'));
    expect(overlay.get('example', 'm', '2026-01-01T00:00:00Z')?.seq).toBe(5);
  });

  it('drops an event once the status was written at or after it', () => {
    const overlay = new EventOverlay();
    overlay.record(event(1, '2026-01-01T00:00:20Z', 'v1.0.0'));
    expect(overlay.get('example', 'm', '2026-01-01T00:00:20Z')).toBeUndefined();
    expect(overlay.size).toBe(0);
  });

  it.each([
    { at: '2026-01-01T00:00:20.500Z', syncTime: '2026-01-01T00:00:20Z', newer: true },
    { at: '2026-01-01T00:00:20Z', syncTime: '2026-01-01T00:00:20Z', newer: false },
    { at: '2026-01-01T00:00:19Z', syncTime: '2026-01-01T00:00:20Z', newer: false },
    { at: '2026-01-01T00:00:19Z', syncTime: undefined, newer: true },
  ])('event at $at vs status at $syncTime → newer $newer', ({ at, syncTime, newer }) => {
    expect(isNewerThanStatus(new Date(at), syncTime)).toBe(newer);
  });

  it('forgets a deleted source', () => {
    const overlay = new EventOverlay();
    overlay.record(event(1, '2026-01-01T00:00:20Z', 'v1.0.0'));
    overlay.forgetSource('example');
    expect(overlay.size).toBe(0);
  });
});
