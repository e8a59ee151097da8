import { describe, expect, it } from 'vitest';
import type { Finding, LintResult } from './core/types.ts';
import { decideLintGate } from './gate.ts';

const f = (level: Finding['level'], rule = 'ports'): Finding => ({
  linter: 'container',
  rule,
  module: 'm',
  level,
  message: `msg ${rule}`,
  file: 'templates/a.yaml',
});
const result = (findings: Finding[]): LintResult => ({ root: '/m', modules: [], findings, durationMs: 1, notes: [] });

describe('deploy gate', () => {
  it.each([
    ['clean', [], {}, true],
    ['warnings pass by default', [f('warn')], {}, true],
    ['warnings fail when asked', [f('warn')], { failOnWarnings: true }, false],
    ['errors fail', [f('error')], {}, false],
    ['ignored never fails', [f('ignored')], { failOnWarnings: true }, true],
  ])('%s', (_n, findings, opts, allowed) => {
    expect(decideLintGate(result(findings), opts).allowed).toBe(allowed);
  });

  it('lists the first findings in the message and counts the rest', () => {
    const d = decideLintGate(result(Array.from({ length: 7 }, (_x, i) => f('error', `r${i}`))), { maxListed: 2 });
    expect(d.message).toBe(
      'module lint failed with 7 finding(s): [container/r0] msg r0 (templates/a.yaml); [container/r1] msg r1 (templates/a.yaml); and 5 more',
    );
  });
});
