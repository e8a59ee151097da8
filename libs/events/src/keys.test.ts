import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS_PREFIX, eventKeys, isValidGroupName, isValidPrefix, seqField } from './keys.ts';

describe('eventKeys', () => {
  it('puts every key of a prefix in one hash slot', () => {
    const keys = eventKeys('modsync:test-1');
    expect(keys.stream).toBe('{modsync:test-1}:discovery');
    expect(keys.seq).toBe('{modsync:test-1}:seq');
    expect(keys.deadLetter('applier')).toBe('{modsync:test-1}:dead-letter:applier');
  });

  it('defaults to the modsync:events prefix', () => {
    expect(eventKeys().stream).toBe(`{${DEFAULT_EVENTS_PREFIX}}:discovery`);
  });

  it.each([
    ['modsync:events', true],
    ['t.1_x-y', true],
    ['', false],
    [':leading', false],
    ['has{brace}', false],
    ['has space', false],
    ['x'.repeat(101), false],
  ])('prefix %j valid: %s', (prefix, valid) => {
    expect(isValidPrefix(prefix)).toBe(valid);
  });

  it.each([
    ['applier', true],
    ['modsync-tail:abc', true],
    ['', false],
    ['a b', false],
    ['g'.repeat(129), false],
  ])('group %j valid: %s', (group, valid) => {
    expect(isValidGroupName(group)).toBe(valid);
  });

  it('keys seq by source/module', () => {
    expect(seqField('deckhouse', 'console')).toBe('deckhouse/console');
  });
});
