import { describe, expect, it } from 'vitest';
import { eventKey, isNewer, latestPerModule } from './ordering.ts';

const e = (source: string, module: string, seq: number, tag = '') => ({ source, module, seq, tag });

describe('isNewer', () => {
  it.each([
    ['larger seq, same module', e('s', 'm', 2), e('s', 'm', 1), true],
    ['smaller seq, same module', e('s', 'm', 1), e('s', 'm', 2), false],
    ['duplicate (same seq)', e('s', 'm', 5), e('s', 'm', 5), false],
    ['other module', e('s', 'a', 9), e('s', 'b', 1), false],
    ['other source', e('x', 'm', 9), e('y', 'm', 1), false],
  ])('%s → %s', (_title, a, b, expected) => {
    expect(isNewer(a, b)).toBe(expected);
  });
});

describe('latestPerModule', () => {
  it('keeps the newest event of each (source, module), whatever the order and duplicates', () => {
    const events = [
      e('s2', 'b', 3, 'old'),
      e('s1', 'a', 10, 'newest'),
      e('s2', 'b', 7, 'newest'),
      e('s1', 'a', 10, 'duplicate'),
      e('s1', 'a', 2, 'stale'),
      e('s1', 'b', 1, 'only'),
    ];
    expect(latestPerModule(events)).toEqual([
      e('s1', 'a', 10, 'newest'),
      e('s1', 'b', 1, 'only'),
      e('s2', 'b', 7, 'newest'),
    ]);
  });

  it('gives the same result for every permutation of its input', () => {
    const events = [e('s', 'a', 1), e('s', 'a', 3), e('s', 'b', 2), e('t', 'a', 4), e('s', 'a', 2)];
    const expected = latestPerModule(events);
    const permutations = (items: typeof events): (typeof events)[] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );
    for (const order of permutations(events)) expect(latestPerModule(order)).toEqual(expected);
  });

  it('is empty for no events', () => {
    expect(latestPerModule([])).toEqual([]);
  });
});

describe('eventKey', () => {
  it('is source/module', () => {
    expect(eventKey({ source: 'deckhouse', module: 'console' })).toBe('deckhouse/console');
  });
});
