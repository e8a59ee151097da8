import { describe, expect, it } from 'vitest';
import type { PresentModuleState } from '@modsync/events';
import { discoveryEvents } from './discovery-events.ts';

const at = new Date('2026-11-27T10:00:00Z');
const d1 = `sha256:${'1'.repeat(64)}`;
const d2 = `sha256:${'2'.repeat(64)}`;
const on = (version: string, checksum: string, pullError: string | null = null): PresentModuleState => ({
  present: true,
  channels: { Stable: { version, checksum } },
  pullError,
});
const failed = (error: string): PresentModuleState => ({ present: true, channels: {}, pullError: error });
const state = (entries: Record<string, PresentModuleState>) => new Map(Object.entries(entries));

describe('discoveryEvents', () => {
  it.each([
    ['nothing changed: no event', { a: on('v1.0.0', d1) }, { a: on('v1.0.0', d1) }, []],
    ['a module appeared', {}, { a: on('v1.0.0', d1) }, ['module.appeared a']],
    ['a module is gone', { a: on('v1.0.0', d1) }, {}, ['module.gone a']],
    ['a new version on the channel', { a: on('v1.0.0', d1) }, { a: on('v1.1.0', d2) }, ['channel.version a']],
    ['same version, new digest', { a: on('v1.0.0', d1) }, { a: on('v1.0.0', d2) }, ['module.checksum a']],
    [
      'a pull error appeared',
      { a: on('v1.0.0', d1) },
      { a: { ...on('v1.0.0', d1), pullError: 'boom' } },
      ['pull-error.set a'],
    ],
    [
      'a pull error cleared',
      { a: { ...on('v1.0.0', d1), pullError: 'boom' } },
      { a: on('v1.0.0', d1) },
      ['pull-error.cleared a'],
    ],
    ['a module appears failing', {}, { a: failed('boom') }, ['module.appeared a', 'pull-error.set a']],
  ] as const)('%s', (_title, before, after, expected) => {
    const events = discoveryEvents('src', state(before), state(after), at);
    expect(events.map((e) => `${e.type} ${e.module}`)).toEqual(expected);
    for (const e of events) expect(e.source).toBe('src');
  });

  it('carries the whole new state and the previous version', () => {
    const [event] = discoveryEvents('src', state({ a: on('v1.0.0', d1) }), state({ a: on('v1.1.0', d2) }), at);
    expect(event).toMatchObject({
      type: 'channel.version',
      channel: 'Stable',
      version: 'v1.1.0',
      checksum: d2,
      previousVersion: 'v1.0.0',
      state: on('v1.1.0', d2),
    });
  });
});
