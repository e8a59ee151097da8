import { describe, expect, it } from 'vitest';

import { diffSync, type ModuleSnapshot } from './diff-sync.ts';

const m = (name: string, version?: string, checksum?: string, pullError?: string): ModuleSnapshot => ({
  name,
  channel: 'Stable',
  version,
  checksum,
  pullError,
});

describe('diffSync: discovery changes between two syncs', () => {
  it.each([
    { why: 'nothing changed', before: [m('a', 'v1.0.0', 'sha256:1')], after: [m('a', 'v1.0.0', 'sha256:1')], want: [] },
    {
      why: 'a module appeared',
      before: [],
      after: [m('a', 'v1.0.0', 'sha256:1')],
      want: [{ type: 'ModuleAppeared', module: 'a', channel: 'Stable', version: 'v1.0.0', checksum: 'sha256:1' }],
    },
    {
      why: 'a module is gone',
      before: [m('a', 'v1.0.0', 'sha256:1')],
      after: [],
      want: [{ type: 'ModuleGone', module: 'a' }],
    },
    {
      why: 'a new version on the channel',
      before: [m('a', 'v1.0.0', 'sha256:1')],
      after: [m('a', 'v1.1.0', 'sha256:2')],
      want: [
        { type: 'VersionChanged', module: 'a', channel: 'Stable', from: 'v1.0.0', to: 'v1.1.0', checksum: 'sha256:2' },
      ],
    },
    {
      why: 'same version, new digest',
      before: [m('a', 'v1.0.0', 'sha256:1')],
      after: [m('a', 'v1.0.0', 'sha256:2')],
      want: [
        {
          type: 'ChecksumChanged',
          module: 'a',
          channel: 'Stable',
          version: 'v1.0.0',
          from: 'sha256:1',
          to: 'sha256:2',
        },
      ],
    },
    {
      why: 'a fetch failed: a pull error, not a version change',
      before: [m('a', 'v1.0.0', 'sha256:1')],
      after: [m('a', 'unknown', undefined, 'boom')],
      want: [{ type: 'PullErrorSet', module: 'a', error: 'boom' }],
    },
    {
      why: 'the pull error changed text',
      before: [m('a', 'unknown', undefined, 'boom')],
      after: [m('a', 'unknown', undefined, 'bang')],
      want: [{ type: 'PullErrorSet', module: 'a', error: 'bang' }],
    },
    {
      why: 'the same pull error again: nothing',
      before: [m('a', 'unknown', undefined, 'boom')],
      after: [m('a', 'unknown', undefined, 'boom')],
      want: [],
    },
    {
      why: 'the pull error cleared, version back',
      before: [m('a', 'unknown', undefined, 'boom')],
      after: [m('a', 'v1.0.0', 'sha256:1')],
      want: [
        { type: 'VersionChanged', module: 'a', channel: 'Stable', from: undefined, to: 'v1.0.0', checksum: 'sha256:1' },
        { type: 'PullErrorCleared', module: 'a' },
      ],
    },
    {
      why: 'a new module failing from the start',
      before: [],
      after: [m('a', 'unknown', undefined, 'boom')],
      want: [
        { type: 'ModuleAppeared', module: 'a', channel: 'Stable', version: undefined, checksum: undefined },
        { type: 'PullErrorSet', module: 'a', error: 'boom' },
      ],
    },
    {
      why: 'ordered by module name',
      before: [m('b', 'v1.0.0'), m('a', 'v1.0.0')],
      after: [],
      want: [
        { type: 'ModuleGone', module: 'a' },
        { type: 'ModuleGone', module: 'b' },
      ],
    },
  ])('$why', ({ before, after, want }) => {
    expect(diffSync(before, after)).toEqual(want);
  });
});
