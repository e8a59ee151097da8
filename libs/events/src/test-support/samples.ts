// Valid sample events for the unit tests (not part of the package's API).
import type { DiscoveryEvent } from '../schema.ts';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

const base = {
  v: 1 as const,
  id: 'e-1',
  seq: 1,
  source: 'example',
  module: 'module-one',
  at: '2026-01-02T03:04:05.000Z',
};

/** One valid event of each type, as objects (mutate copies freely). */
export function sampleEvents(): DiscoveryEvent[] {
  const present = {
    present: true as const,
    channels: { Stable: { version: 'v1.2.3', checksum: DIGEST_A } },
    pullError: null,
  };
  return [
    { ...base, type: 'module.appeared', state: present },
    { ...base, type: 'module.gone', state: { present: false } },
    {
      ...base,
      type: 'channel.version',
      channel: 'Stable',
      version: 'v1.2.3',
      checksum: DIGEST_A,
      previousVersion: 'v1.2.2',
      state: present,
    },
    {
      ...base,
      type: 'module.checksum',
      channel: 'Stable',
      version: 'v1.2.3',
      checksum: DIGEST_A,
      previousChecksum: DIGEST_B,
      state: present,
    },
    {
      ...base,
      type: 'pull-error.set',
      error: 'GET https://r/v2/m/manifests/stable: MANIFEST_UNKNOWN: manifest unknown',
      state: { ...present, pullError: 'GET https://r/v2/m/manifests/stable: MANIFEST_UNKNOWN: manifest unknown' },
    },
    { ...base, type: 'pull-error.cleared', state: present },
  ];
}

/** A sample of one type. */
export function sampleEvent<T extends DiscoveryEvent['type']>(type: T): Extract<DiscoveryEvent, { type: T }> {
  const event = sampleEvents().find((e) => e.type === type);
  if (event === undefined) throw new Error(`no sample of ${type}`);
  return structuredClone(event) as Extract<DiscoveryEvent, { type: T }>;
}
