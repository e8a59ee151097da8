import { describe, expect, it } from 'vitest';
import { parseReleaseMetadata } from './release-metadata.ts';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));

describe('parseReleaseMetadata: a release image’s module.yaml and changelog', () => {
  it.each<{ why: string; input: Record<string, string>; want: unknown }>([
    { why: 'weight and requirements from module.yaml', input: { 'module.yaml': 'name: m\nweight: 910\nrequirements:\n  deckhouse: ">= 1.63"\n  kubernetes: "> 1.25"\n  modules:\n    other: ">= 0.1"\n' }, want: { weight: 910, requirements: { deckhouse: '>= 1.63', kubernetes: '> 1.25', modules: { other: '>= 0.1' } } } },
    { why: 'no module.yaml: DKP’s default weight 900', input: {}, want: { weight: 900 } },
    { why: 'unparsable module.yaml reads as absent', input: { 'module.yaml': 'weight: [' }, want: { weight: 900 } },
    { why: 'a bad weight alone falls back', input: { 'module.yaml': 'weight: heavy\nrequirements:\n  kubernetes: ">= 1.20"\n' }, want: { weight: 900, requirements: { kubernetes: '>= 1.20' } } },
    { why: 'changelog.yaml as a map', input: { 'changelog.yaml': 'features:\n  - one\n' }, want: { weight: 900, changelog: { features: ['one'] } } },
    { why: 'changelog.yml accepted', input: { 'changelog.yml': 'fixes: [a]\n' }, want: { weight: 900, changelog: { fixes: ['a'] } } },
    { why: 'a changelog that is not a map is empty', input: { 'changelog.yaml': '- a\n' }, want: { weight: 900 } },
  ])('$why', ({ input, want }) => {
    expect(parseReleaseMetadata(files(input))).toEqual(want);
  });
});
