import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lint } from '../runner.ts';
import { badCases, ensureHelm, materialize } from '../testdata.ts';
import { LintSettings, containerExcluded, dirExcluded, kindExcluded } from './settings.ts';

let helm: string;
beforeAll(() => {
  helm = ensureHelm();
}, 1_800_000);

describe('rule levels', () => {
  it.each([
    ['no config', {}, {}, 'container', 'ports', 'error'],
    ['module linter impact', { container: { impact: 'warn' } }, {}, 'container', 'ports', 'warn'],
    ['global linter impact', {}, { container: { impact: 'ignored' } }, 'container', 'ports', 'ignored'],
    [
      'module impact wins over global',
      { container: { impact: 'warn' } },
      { container: { impact: 'ignored' } },
      'container',
      'ports',
      'warn',
    ],
    [
      'global rule impact',
      {},
      { container: { rules: { 'recommended-labels': { impact: 'warn' } } } },
      'container',
      'object-recommended-labels',
      'warn',
    ],
    ['markdownlint defaults to warn', {}, {}, 'documentation', 'markdownlint', 'warn'],
    [
      'sys-cgroup-mount defaults to warn',
      { container: { impact: 'error' } },
      {},
      'container',
      'sys-cgroup-mount',
      'warn',
    ],
    [
      'requirements keeps DMT key spelling',
      {},
      { module: { rules: { requarements: { impact: 'ignored' } } } },
      'module',
      'requirements',
      'ignored',
    ],
  ] as const)('%s', (_n, mod, glob, linter, rule, want) => {
    expect(new LintSettings(mod, glob).ruleLevel(linter, rule)).toBe(want);
  });
});

describe('exclusion matchers', () => {
  it.each([
    [[{ kind: 'Deployment', name: 'a' }], 'Deployment', 'a', true],
    [[{ kind: 'Deployment', name: 'a' }], 'Deployment', 'b', false],
  ])('kind %j on %s/%s = %s', (items, kind, name, want) => expect(kindExcluded(items, kind, name)).toBe(want));

  it.each([
    [[{ kind: 'Deployment', name: 'a' }], 'x', true],
    [[{ kind: 'Deployment', name: 'a', container: 'y' }], 'x', false],
  ])('container %j on %s = %s', (items, container, want) =>
    expect(containerExcluded(items, 'Deployment', 'a', container)).toBe(want),
  );

  it.each([
    [['docs'], 'docs/a.md', true],
    [['docs/'], 'docs', true],
    [['docs'], 'docsx/a.md', false],
  ])('directories %j on %s = %s', (dirs, path, want) => expect(dirExcluded(dirs, path)).toBe(want));
});

describe('.dmtlint.yaml in a module', () => {
  it('excludes a rule for one object, as DMT allows', async () => {
    const c = badCases().find((x) => x.name === 'container/ports')!;
    const tree = materialize(c);
    try {
      writeFileSync(
        join(tree.path, '.dmtlint.yaml'),
        'linters-settings:\n  container:\n    exclude-rules:\n      ports:\n        - kind: Deployment\n          name: app\n',
      );
      const res = await lint(tree.path, { helm });
      expect(res.findings.filter((f) => f.rule === 'ports')).toEqual([]);
    } finally {
      tree.cleanup();
    }
  });

  it('lowers a linter to warn with impact', async () => {
    const c = badCases().find((x) => x.name === 'container/ports')!;
    const tree = materialize(c);
    try {
      writeFileSync(join(tree.path, '.dmtlint.yaml'), 'linters-settings:\n  container:\n    impact: warn\n');
      const res = await lint(tree.path, { helm });
      const ports = res.findings.filter((f) => f.rule === 'ports');
      expect(ports.map((f) => f.level)).toEqual(['warn']);
    } finally {
      tree.cleanup();
    }
  });

  it('disables a rule with disable: true (findings become ignored)', async () => {
    const c = badCases().find((x) => x.name === 'module/helmignore')!;
    const tree = materialize(c);
    try {
      writeFileSync(
        join(tree.path, '.dmtlint.yaml'),
        'linters-settings:\n  module:\n    helmignore:\n      disable: true\n',
      );
      const res = await lint(tree.path, { helm });
      expect(res.findings.filter((f) => f.rule === 'helmignore').map((f) => f.level)).toEqual(['ignored']);
    } finally {
      tree.cleanup();
    }
  });
});
