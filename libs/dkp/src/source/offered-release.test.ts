import { describe, expect, it } from 'vitest';
import { offeredRelease } from './offered-release.ts';

// The embedded policy ("") follows Stable; "fast" follows Alpha; "gone" no longer exists.
const channelOf = (policy: string): string | undefined => ({ '': 'Stable', fast: 'Alpha' })[policy];

describe('offeredRelease: what a source status offers for the module’s channel', () => {
  it.each([
    {
      why: 'the entry’s policy follows the channel',
      entry: { name: 'm', version: 'v1.0.0', checksum: 'sha256:a', policy: '' },
      channel: 'Stable',
      want: { version: 'v1.0.0', checksum: 'sha256:a' },
    },
    {
      why: 'no policy means the embedded one',
      entry: { name: 'm', version: 'v1.0.0', checksum: 'sha256:a' },
      channel: 'Stable',
      want: { version: 'v1.0.0', checksum: 'sha256:a' },
    },
    {
      why: 'the entry holds another channel',
      entry: { name: 'm', version: 'v1.0.0', checksum: 'sha256:a', policy: 'fast' },
      channel: 'Stable',
      want: undefined,
    },
    {
      why: 'the entry’s policy is gone',
      entry: { name: 'm', version: 'v1.0.0', checksum: 'sha256:a', policy: 'gone' },
      channel: 'Stable',
      want: undefined,
    },
    {
      why: 'an unknown version',
      entry: { name: 'm', version: 'unknown', checksum: 'sha256:a' },
      channel: 'Stable',
      want: undefined,
    },
    { why: 'no checksum', entry: { name: 'm', version: 'v1.0.0', checksum: '' }, channel: 'Stable', want: undefined },
  ])('$why', ({ entry, channel, want }) => {
    expect(offeredRelease(entry, channel, channelOf)).toEqual(want);
  });
});
