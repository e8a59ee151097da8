import { describe, expect, it } from 'vitest';
import { parseNextLink } from './link.ts';

describe('parseNextLink', () => {
  it.each([
    { header: '</v2/a/tags/list?last=b&n=2>; rel="next"', want: '/v2/a/tags/list?last=b&n=2' },
    {
      header: '<https://r.example.io/v2/a/tags/list?last=b&n=2>; rel=next',
      want: 'https://r.example.io/v2/a/tags/list?last=b&n=2',
    },
    { header: '</prev>; rel="prev", </next?x=1,2>; rel="next"', want: '/next?x=1,2' },
    { header: '</x>; title="a;b"; rel="next"', want: '/x' },
    { header: '</x>; rel="first next"', want: '/x' },
    { header: '</x>; REL="Next"', want: '/x' },
    { header: '</x>; rel="prev"', want: undefined },
    { header: '</x>', want: undefined },
    { header: '', want: undefined },
    { header: 'garbage', want: undefined },
  ])('$header → $want', ({ header, want }) => {
    expect(parseNextLink(header)).toBe(want);
  });

  it('reads a repeated header', () => {
    expect(parseNextLink(['</a>; rel="prev"', '</b>; rel="next"'])).toBe('/b');
  });
});
