import { beforeAll, describe, expect, it } from 'vitest';
import { lint } from './runner.ts';
import { badCases, ensureHelm, GOOD, materialize } from './testdata.ts';
import type { Finding } from './core/types.ts';

let helm: string;

beforeAll(() => {
  // The templates, container, rbac and hooks rules need the chart rendered: build helm (cached after the first time).
  helm = ensureHelm();
}, 1_800_000);

const show = (fs: Finding[]): string =>
  fs.map((f) => `${f.linter}/${f.rule} ${f.level} ${f.file ?? ''}: ${f.message.split('\n')[0]}`).join('\n');

describe('good module', () => {
  it('passes every rule', async () => {
    const res = await lint(GOOD, { helm });
    expect(res.modules.map((m) => m.name)).toEqual(['good-module']);
    expect(show(res.findings)).toBe('');
  });
});

describe('bad modules: each rule fires on its bad case', () => {
  it.each(badCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const tree = materialize(c);
    try {
      const res = await lint(tree.path, { helm });
      const hits = res.findings.filter((f) => f.linter === c.expect.linter && f.rule === c.expect.rule);
      expect(hits.length, `no ${c.name} finding among:\n${show(res.findings)}`).toBeGreaterThan(0);
      expect(hits.map((h) => h.level)).toContain(c.expect.level);
    } finally {
      tree.cleanup();
    }
  });
});
