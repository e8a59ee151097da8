import { describe, expect, it } from 'vitest';
import type { ModuleSource } from '@modsync/k8s';
import { EventOverlay, modulesMissedByEvents, offerOf, statusAgrees } from './offers.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const DIGEST2 = `sha256:${'b'.repeat(64)}`;

function source(
  modules: NonNullable<ModuleSource['status']>['modules'],
  syncTime = '2026-01-01T00:00:10Z',
): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name: 'example' },
    spec: { registry: { repo: 'r.example/m' } },
    status: { syncTime, modules },
  };
}

const channels: Record<string, string> = { '': 'Stable', manual: 'Stable', alpha: 'Alpha' };
const channelOf = (policy: string) => channels[policy];

describe('offerOf: what a source offers of a module', () => {
  it.each([
    {
      why: 'listed with version and checksum',
      entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' },
      want: { version: 'v1.2.3', checksum: DIGEST },
    },
    {
      why: 'resolved for another policy on the same channel',
      entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: 'manual' },
      want: { version: 'v1.2.3', checksum: DIGEST },
    },
    {
      why: 'resolved for a policy on another channel: no version yet',
      entry: { name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: 'alpha' },
      want: undefined,
    },
    {
      why: 'pull error: version unknown',
      entry: { name: 'm', version: 'unknown', pullError: 'boom', policy: '' },
      want: undefined,
    },
  ])('$why', ({ entry, want }) => {
    const offer = offerOf({ source: source([entry]), module: 'm', channel: 'Stable', channelOf });
    expect(offer?.source).toBe('example');
    expect(offer?.release).toEqual(want);
  });

  it('a module the status does not list is not offered', () => {
    expect(offerOf({ source: source([]), module: 'm', channel: 'Stable', channelOf })).toBeUndefined();
  });

  it('an event the status does not reflect yet wins: its channel, or gone', () => {
    const receivedAtMs = 0;
    const present = {
      seq: 2,
      receivedAtMs,
      state: {
        present: true as const,
        channels: { Stable: { version: 'v1.2.4', checksum: DIGEST2 } },
        pullError: null,
      },
    };
    const offer = offerOf({
      source: source([{ name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' }]),
      module: 'm',
      channel: 'Stable',
      channelOf,
      event: present,
    });
    expect(offer).toMatchObject({ from: 'event', release: { version: 'v1.2.4', checksum: DIGEST2 } });
    const metadata = { weight: 910, changelog: { features: ['x'] } };
    const described = {
      seq: 2,
      receivedAtMs,
      state: {
        present: true as const,
        channels: { Stable: { version: 'v1.2.4', checksum: DIGEST2, metadata } },
        pullError: null,
      },
    };
    expect(
      offerOf({ source: source([]), module: 'm', channel: 'Stable', channelOf, event: described })?.release,
    ).toEqual({ version: 'v1.2.4', checksum: DIGEST2, metadata });
    const gone = { seq: 3, receivedAtMs, state: { present: false as const } };
    expect(
      offerOf({
        source: source([{ name: 'm', version: 'v1.2.3', checksum: DIGEST, policy: '' }]),
        module: 'm',
        channel: 'Stable',
        channelOf,
        event: gone,
      }),
    ).toBeUndefined();
  });
});

describe('EventOverlay', () => {
  const event = (seq: number, version: string) => ({
    source: 'example',
    module: 'm',
    seq,
    state: { present: true as const, channels: { Stable: { version, checksum: DIGEST } }, pullError: null },
  });
  const entry = (version: string) => ({ name: 'm', version, checksum: DIGEST, policy: '' });

  it('keeps the newest event by seq, whatever the arrival order', () => {
    const overlay = new EventOverlay();
    overlay.record(event(5, 'v1.0.5'), 0);
    overlay.record(event(4, 'v1.0.4'), 1);
    expect(overlay.get('example', 'm', entry('v1.0.3'))?.seq).toBe(5);
  });

  it('drops an event once the status says the same', () => {
    const overlay = new EventOverlay();
    overlay.record(event(1, 'v1.0.0'), 0);
    expect(overlay.get('example', 'm', entry('v0.9.0'))?.seq).toBe(1);
    expect(overlay.get('example', 'm', entry('v1.0.0'))).toBeUndefined();
    expect(overlay.size).toBe(0);
  });

  it('expires entries that arrived before a time of this replica’s clock', () => {
    const overlay = new EventOverlay();
    overlay.record(event(1, 'v1.0.0'), 1_000);
    overlay.record({ ...event(2, 'v1.0.0'), module: 'n' }, 5_000);
    overlay.expire(2_000);
    expect(overlay.get('example', 'm', undefined)).toBeUndefined();
    expect(overlay.get('example', 'n', undefined)?.seq).toBe(2);
  });

  it('forgets a deleted source', () => {
    const overlay = new EventOverlay();
    overlay.record(event(1, 'v1.0.0'), 0);
    overlay.forgetSource('example');
    expect(overlay.size).toBe(0);
  });
});

describe('statusAgrees: the status entry says what the event says', () => {
  const present = (version: string, pullError: string | null = null) => ({
    present: true as const,
    channels: { Stable: { version, checksum: DIGEST } },
    pullError,
  });
  it.each([
    {
      why: 'same version and checksum',
      state: present('v1.0.0'),
      status: { name: 'm', version: 'v1.0.0', checksum: DIGEST },
      agrees: true,
    },
    {
      why: 'another version',
      state: present('v1.0.1'),
      status: { name: 'm', version: 'v1.0.0', checksum: DIGEST },
      agrees: false,
    },
    {
      why: 'another checksum',
      state: present('v1.0.0'),
      status: { name: 'm', version: 'v1.0.0', checksum: DIGEST2 },
      agrees: false,
    },
    {
      why: 'the same pull error',
      state: present('v1.0.0', 'boom'),
      status: { name: 'm', version: 'unknown', pullError: 'boom', error: 'boom' },
      agrees: true,
    },
    {
      why: 'a pull error the status does not have yet',
      state: present('v1.0.0', 'boom'),
      status: { name: 'm', version: 'v1.0.0', checksum: DIGEST },
      agrees: false,
    },
    { why: 'listed by the event, not yet by the status', state: present('v1.0.0'), status: undefined, agrees: false },
    { why: 'gone from both', state: { present: false as const }, status: undefined, agrees: true },
    {
      why: 'gone by the event, still in the status',
      state: { present: false as const },
      status: { name: 'm', version: 'v1.0.0', checksum: DIGEST },
      agrees: false,
    },
  ])('$why → $agrees', ({ state, status, agrees }) => {
    expect(statusAgrees(state, status)).toBe(agrees);
  });
});

describe('modulesMissedByEvents: status changes no delivered event explains', () => {
  const m1 = { name: 'm1', version: 'v1.0.0', checksum: DIGEST, policy: '' };
  const m1Next = { name: 'm1', version: 'v1.0.1', checksum: DIGEST2, policy: '' };
  const m2 = { name: 'm2', version: 'v2.0.0', checksum: DIGEST, policy: '' };
  it.each([
    { why: 'syncTime alone changed', before: [m1, m2], after: [m1, m2], delivered: [], want: [] },
    { why: 'a new version, its event lost', before: [m1, m2], after: [m1Next, m2], delivered: [], want: ['m1'] },
    { why: 'a new version, its event delivered', before: [m1, m2], after: [m1Next, m2], delivered: ['m1'], want: [] },
    { why: 'a module gone, no event', before: [m1, m2], after: [m2], delivered: [], want: ['m1'] },
    { why: 'a new module, no event', before: [m2], after: [m1, m2], delivered: [], want: ['m1'] },
    { why: 'a pull error, no event', before: [m1], after: [{ ...m1, pullError: 'boom' }], delivered: [], want: ['m1'] },
  ])('$why', ({ before, after, delivered, want }) => {
    const missed = modulesMissedByEvents(
      source(before, '2026-01-01T00:00:10Z'),
      source(after, '2026-01-01T00:03:10Z'),
      (module) => (delivered as string[]).includes(module),
    );
    expect(missed).toEqual(want);
  });
});
