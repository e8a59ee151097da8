import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/types.ts';
import { matchCase } from './conformance.ts';
import type { CaseSpec } from './conformance.ts';

const f = (linter: string, rule: string, level: Finding['level'], message: string): Finding => ({
  linter,
  rule,
  level,
  message,
  module: 'm',
});
const spec = (patch: Partial<CaseSpec>): CaseSpec => ({
  description: '',
  skip: false,
  kind: 'lint',
  module: 'module',
  expectClean: false,
  exhaustive: false,
  expect: [],
  expectAbsent: [],
  expectPass: [],
  ...patch,
});

describe("matchCase follows DMT's e2e semantics", () => {
  const findings = [
    f('container', 'ports', 'error', 'Container uses port <= 1024'),
    f('module', 'helmignore', 'warn', "Directory 'images/' is not listed"),
  ];
  it.each([
    ['at least one', spec({ expect: [{ linter: 'container', rule: 'ports' }] }), 0],
    ['linter is case-insensitive', spec({ expect: [{ linter: 'CONTAINER' }] }), 0],
    ['count must be exact', spec({ expect: [{ linter: 'container', count: 2 }] }), 1],
    ['level filter', spec({ expect: [{ linter: 'module', level: 'error' }] }), 1],
    ['textContains is case-sensitive', spec({ expect: [{ linter: 'container', textContains: 'container uses' }] }), 1],
    ['expectClean', spec({ expectClean: true }), 1],
    ['exhaustive flags unmatched findings', spec({ exhaustive: true, expect: [{ linter: 'container' }] }), 1],
    ['expectAbsent', spec({ expectAbsent: [{ linter: 'module', rule: 'helmignore' }] }), 1],
    ['expectPass', spec({ expectPass: [{ linter: 'documentation' }] }), 0],
  ])('%s', (_n, s, failures) => {
    expect(matchCase(s, findings)).toHaveLength(failures);
  });
});
