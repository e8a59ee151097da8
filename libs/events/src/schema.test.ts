import { describe, expect, it } from 'vitest';
import { DISCOVERY_EVENT_TYPES, DiscoveryEventSchema } from './schema.ts';
import { DIGEST_B, sampleEvent, sampleEvents } from './test-support/samples.ts';

function issuesOf(value: unknown): string[] {
  const result = DiscoveryEventSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('DiscoveryEventSchema', () => {
  it('has a sample of every type, and each parses back to itself', () => {
    const samples = sampleEvents();
    expect(samples.map((e) => e.type)).toEqual([...DISCOVERY_EVENT_TYPES]);
    for (const event of samples) expect(DiscoveryEventSchema.parse(event)).toEqual(event);
  });

  it('defaults previousVersion and previousChecksum to null', () => {
    const { previousVersion: _v, ...version } = sampleEvent('channel.version');
    const { previousChecksum: _c, ...checksum } = sampleEvent('module.checksum');
    expect(DiscoveryEventSchema.parse(version)).toMatchObject({ previousVersion: null });
    expect(DiscoveryEventSchema.parse(checksum)).toMatchObject({ previousChecksum: null });
  });

  it("carries a channel release's metadata when the syncer read it, and reads events without it (optional in v1)", () => {
    const event = sampleEvent('channel.version') as Extract<
      ReturnType<typeof sampleEvent>,
      { type: 'channel.version' }
    >;
    const channel = event.channel;
    const metadata = {
      weight: 910,
      requirements: { kubernetes: '>= 1.20', modules: { other: '>= 0.1' } },
      changelog: { features: ['x'] },
    };
    const withMetadata = {
      ...event,
      state: { ...event.state, channels: { [channel]: { ...event.state.channels[channel]!, metadata } } },
    };
    expect(DiscoveryEventSchema.parse(withMetadata)).toEqual(withMetadata);
    expect(DiscoveryEventSchema.parse(event)).toEqual(event);
    expect(
      issuesOf({
        ...withMetadata,
        state: {
          ...withMetadata.state,
          channels: { [channel]: { ...withMetadata.state.channels[channel], metadata: { weight: -1 } } },
        },
      }),
    ).toEqual([`state.channels.${channel}.metadata.weight: Too small: expected number to be >=0`]);
  });

  it('strips fields it does not know (additive changes within v1)', () => {
    const parsed = DiscoveryEventSchema.parse({ ...sampleEvent('module.appeared'), futureField: 1 });
    expect(parsed).not.toHaveProperty('futureField');
  });

  it.each([
    ['unknown type', { ...sampleEvent('module.appeared'), type: 'module.renamed' }, 'type'],
    ['v other than 1', { ...sampleEvent('module.appeared'), v: 2 }, 'v'],
    ['seq 0', { ...sampleEvent('module.appeared'), seq: 0 }, 'seq'],
    ['seq not an integer', { ...sampleEvent('module.appeared'), seq: 1.5 }, 'seq'],
    ['empty id', { ...sampleEvent('module.appeared'), id: '' }, 'id'],
    ['source with a slash', { ...sampleEvent('module.appeared'), source: 'a/b' }, 'source'],
    ['upper-case module', { ...sampleEvent('module.appeared'), module: 'Module' }, 'module'],
    ['module longer than 64', { ...sampleEvent('module.appeared'), module: 'm'.repeat(65) }, 'module'],
    ['at not RFC 3339', { ...sampleEvent('module.appeared'), at: 'yesterday' }, 'at'],
    ['appeared with a gone state', { ...sampleEvent('module.appeared'), state: { present: false } }, 'state'],
    [
      'gone with a present state',
      { ...sampleEvent('module.gone'), state: sampleEvent('module.appeared').state },
      'state',
    ],
    ['version unknown', { ...sampleEvent('channel.version'), version: 'unknown' }, 'version'],
    ['version without v', { ...sampleEvent('channel.version'), version: '1.2.3' }, 'version'],
    ['checksum not a digest', { ...sampleEvent('channel.version'), checksum: 'abc' }, 'checksum'],
    ['channel in kebab case', { ...sampleEvent('channel.version'), channel: 'early-access' }, 'channel'],
    ['channel.version not in state', { ...sampleEvent('channel.version'), version: 'v9.9.9' }, 'state.channels'],
    ['module.checksum not in state', { ...sampleEvent('module.checksum'), checksum: DIGEST_B }, 'state.channels'],
    ['pull-error.set with an empty error', { ...sampleEvent('pull-error.set'), error: '' }, 'error'],
    ['pull-error.set not in state', { ...sampleEvent('pull-error.set'), error: 'other' }, 'state.pullError'],
    [
      'pull-error.cleared with a pull error in state',
      { ...sampleEvent('pull-error.cleared'), state: sampleEvent('pull-error.set').state },
      'state.pullError',
    ],
    [
      'state channel key in kebab case',
      {
        ...sampleEvent('module.appeared'),
        state: {
          present: true,
          channels: { 'early-access': { version: 'v1.0.0', checksum: DIGEST_B } },
          pullError: null,
        },
      },
      'state.channels',
    ],
  ])('rejects %s', (_title, value, path) => {
    const issues = issuesOf(value);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.some((issue) => issue.startsWith(`${path}`))).toBe(true);
  });

  it.each(['v1.2.3', 'v0.0.1', 'v1.2.3-rc.1', 'v1.2.3+build.5', 'v10.20.30-alpha.1+b'])(
    'accepts version %s',
    (version) => {
      const event = sampleEvent('channel.version');
      expect(
        issuesOf({
          ...event,
          version,
          state: { ...event.state, channels: { Stable: { version, checksum: event.checksum } } },
        }),
      ).toEqual([]);
    },
  );

  it('accepts a present module with no channel resolved yet and a pull error', () => {
    const event = sampleEvent('pull-error.set');
    expect(issuesOf({ ...event, state: { present: true, channels: {}, pullError: event.error } })).toEqual([]);
  });
});
