import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isInUpdateWindow, nextWindowOpening } from '@modsync/dkp';
import { parseReleaseMetadata } from './release-metadata.ts';

const files = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v)]));

describe('parseReleaseMetadata: a release image’s module.yaml and changelog', () => {
  it.each<{ why: string; input: Record<string, string>; want: unknown }>([
    {
      why: 'weight and requirements from module.yaml',
      input: {
        'module.yaml':
          'name: m\nweight: 910\nrequirements:\n  deckhouse: ">= 1.63"\n  kubernetes: "> 1.25"\n  modules:\n    other: ">= 0.1"\n',
      },
      want: { weight: 910, requirements: { deckhouse: '>= 1.63', kubernetes: '> 1.25', modules: { other: '>= 0.1' } } },
    },
    { why: 'no module.yaml: DKP’s default weight 900', input: {}, want: { weight: 900 } },
    { why: 'unparsable module.yaml reads as absent', input: { 'module.yaml': 'weight: [' }, want: { weight: 900 } },
    {
      why: 'a bad weight alone falls back',
      input: { 'module.yaml': 'weight: heavy\nrequirements:\n  kubernetes: ">= 1.20"\n' },
      want: { weight: 900, requirements: { kubernetes: '>= 1.20' } },
    },
    {
      why: 'changelog.yaml as a map',
      input: { 'changelog.yaml': 'features:\n  - one\n' },
      want: { weight: 900, changelog: { features: ['one'] } },
    },
    {
      why: 'changelog.yml accepted',
      input: { 'changelog.yml': 'fixes: [a]\n' },
      want: { weight: 900, changelog: { fixes: ['a'] } },
    },
    { why: 'a changelog that is not a map is empty', input: { 'changelog.yaml': '- a\n' }, want: { weight: 900 } },
  ])('$why', ({ input, want }) => {
    expect(parseReleaseMetadata(files(input))).toEqual(want);
  });
});

// Release images come from registries: any module.yaml or changelog bytes give metadata, nothing throws.
describe('parseReleaseMetadata: fuzzed files (fast-check)', () => {
  it('never throws, always gives a weight', () => {
    const yamlish = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom(
        'weight: [',
        'requirements: 5',
        'requirements:\n  modules: [1]',
        '&a [*a]',
        'x: !!binary "%%"',
        'weight: 1e400',
      ),
    );
    fc.assert(
      fc.property(
        fc.option(yamlish, { nil: undefined }),
        fc.option(yamlish, { nil: undefined }),
        (moduleYaml, changelog) => {
          const input = new Map<string, Buffer>();
          if (moduleYaml !== undefined) input.set('module.yaml', Buffer.from(moduleYaml));
          if (changelog !== undefined) input.set('changelog.yaml', Buffer.from(changelog));
          expect(typeof parseReleaseMetadata(input).weight).toBe('number');
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Update windows come from ModuleUpdatePolicies (`25:00`, from ≥ to, unknown days): never throw, an invalid one never opens.
describe('update windows: fuzzed bounds (fast-check)', () => {
  it('isInUpdateWindow and nextWindowOpening never throw', () => {
    const clock = fc.oneof(fc.string(), fc.constantFrom('25:00', '24:00', '9:60', '00:00', '23:59', '-1:00'));
    const window = fc.record({
      from: fc.option(clock, { nil: undefined }),
      to: clock,
      days: fc.option(fc.array(fc.oneof(fc.string(), fc.constantFrom('Mon', 'sun', 'Funday'))), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(window, { maxLength: 4 }), fc.date({ noInvalidDate: true }), (windows, now) => {
        isInUpdateWindow(windows, now);
        nextWindowOpening(windows, now);
      }),
      { numRuns: 300 },
    );
  });

  it('a window of 25:00 or with from = to never opens', () => {
    const now = new Date('2026-01-05T12:00:00Z');
    expect(isInUpdateWindow([{ from: '08:00', to: '25:00' }], now)).toBe(false);
    expect(nextWindowOpening([{ from: '08:00', to: '25:00' }], now)).toBeUndefined();
    expect(nextWindowOpening([{ from: '10:00', to: '10:00' }], now)).toBeUndefined();
  });
});
