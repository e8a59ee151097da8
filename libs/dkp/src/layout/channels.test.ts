import { describe, expect, it } from 'vitest';

import { RELEASE_CHANNELS, channelTag, mustParseChannel, parseChannel } from './channels.ts';

describe('channelTag: registry tag is kebab-case (§7)', () => {
  it.each([
    { channel: 'Alpha', tag: 'alpha' },
    { channel: 'Beta', tag: 'beta' },
    { channel: 'EarlyAccess', tag: 'early-access' },
    { channel: 'Stable', tag: 'stable' },
    { channel: 'RockSolid', tag: 'rock-solid' },
    { channel: 'Lts', tag: 'lts' },
  ] as const)('$channel → $tag, and back', ({ channel, tag }) => {
    expect(channelTag(channel)).toBe(tag);
    expect(parseChannel(tag)).toBe(channel);
    expect(parseChannel(channel)).toBe(channel);
  });

  it('covers every channel', () => {
    expect(RELEASE_CHANNELS.map(channelTag)).toEqual(['alpha', 'beta', 'early-access', 'stable', 'rock-solid', 'lts']);
  });
});

describe('parseChannel', () => {
  it.each([
    { input: 'LTS', want: 'Lts' },
    { input: 'stable', want: 'Stable' },
    { input: 'earlyaccess', want: 'EarlyAccess' },
    { input: 'Rock-Solid', want: 'RockSolid' },
    { input: 'gamma', want: undefined },
    { input: '', want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(parseChannel(input)).toBe(want);
  });

  it('mustParseChannel throws a coded error', () => {
    expect(() => mustParseChannel('gamma')).toThrow(expect.objectContaining({ code: 'MODSYNC_DKP_INVALID_CHANNEL' }));
  });
});
