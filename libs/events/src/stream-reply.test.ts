import { describe, expect, it } from 'vitest';
import { parseAutoClaimReply, parseEntries, parsePendingReply, parseReadGroupReply } from './stream-reply.ts';

const entries = [
  ['1-0', ['event', '{"a":1}']],
  ['2-0', ['event', '{"a":2}', 'extra', 'x']],
];
const parsed = [
  { id: '1-0', fields: { event: '{"a":1}' } },
  { id: '2-0', fields: { event: '{"a":2}', extra: 'x' } },
];

describe('stream replies', () => {
  it.each([
    ['RESP2 nested', [['{p}:discovery', entries]]],
    ['RESP3 map, flattened', ['{p}:discovery', entries]],
  ])('reads XREADGROUP as %s', (_title, reply) => {
    expect(parseReadGroupReply(reply)).toEqual(parsed);
  });

  it('reads a timed-out XREADGROUP as no entries', () => {
    expect(parseReadGroupReply(null)).toEqual([]);
    expect(parseReadGroupReply([])).toEqual([]);
  });

  it('skips entries whose body is nil (deleted while pending)', () => {
    expect(parseEntries([['1-0', null], ...entries])).toEqual(parsed);
  });

  it('reads buffers and numbers as text', () => {
    expect(parseEntries([[Buffer.from('3-0'), [Buffer.from('event'), 7]]])).toEqual([
      { id: '3-0', fields: { event: '7' } },
    ]);
  });

  it('reads XAUTOCLAIM with and without the deleted-ids element', () => {
    expect(parseAutoClaimReply(['0-0', entries, ['0-5']])).toEqual({
      cursor: '0-0',
      entries: parsed,
      deletedIds: ['0-5'],
    });
    expect(parseAutoClaimReply(['9-1', []])).toEqual({ cursor: '9-1', entries: [], deletedIds: [] });
  });

  it('reads extended XPENDING', () => {
    expect(parsePendingReply([['1-0', 'c1', 1500, 3]])).toEqual([
      { id: '1-0', consumer: 'c1', idleMs: 1500, deliveries: 3 },
    ]);
    expect(parsePendingReply([])).toEqual([]);
  });

  it('says what it saw when the shape is wrong', () => {
    expect(() => parseAutoClaimReply('OK')).toThrow(TypeError);
    expect(() => parseEntries([['1-0', 'not a list']])).toThrow(/entry fields/);
  });
});
