import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { Finding } from '../core/types.ts';
import { exists, isDir, readText } from '../fs/files.ts';
import { asArray, asRecord, parseYaml } from '../fs/yaml.ts';
import { lint } from '../runner.ts';
import { testConversions } from '../testers/conversions.ts';

/**
 * Runs DMT's public end-to-end cases (`test/e2e/testdata/<linter>/<case>/` of a deckhouse/dmt checkout)
 * against modsync lint, with DMT's matching semantics (README of test/e2e).
 */

interface Expectation {
  linter: string;
  rule?: string;
  level?: string;
  textContains?: string;
  count?: number;
}

export interface CaseSpec {
  description: string;
  skip: boolean;
  kind: 'lint' | 'conversions' | 'fix';
  module: string;
  expectClean: boolean;
  exhaustive: boolean;
  expect: Expectation[];
  expectAbsent: Expectation[];
  expectPass: Expectation[];
}

export interface CaseResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  failures: string[];
  findings: Finding[];
  durationMs: number;
}

export interface ConformanceReport {
  cases: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

function toExpectations(v: unknown): Expectation[] {
  return asArray(v).map((e) => {
    const r = asRecord(e);
    const x: Expectation = { linter: String(r['linter'] ?? '') };
    if (r['rule'] !== undefined) x.rule = String(r['rule']);
    if (r['level'] !== undefined) x.level = String(r['level']);
    if (r['textContains'] !== undefined) x.textContains = String(r['textContains']);
    if (typeof r['count'] === 'number') x.count = r['count'];
    return x;
  });
}

function loadCaseSpec(caseDir: string): CaseSpec {
  const r = asRecord(parseYaml(readText(join(caseDir, 'expected.yaml'))));
  const kind = String(r['kind'] ?? 'lint') || 'lint';
  return {
    description: String(r['description'] ?? ''),
    skip: r['skip'] === true,
    kind: kind === 'conversions' || kind === 'fix' ? kind : 'lint',
    module: String(r['module'] ?? 'module') || 'module',
    expectClean: r['expectClean'] === true,
    exhaustive: r['exhaustive'] === true,
    expect: toExpectations(r['expect']),
    expectAbsent: toExpectations(r['expectAbsent']),
    expectPass: toExpectations(r['expectPass']),
  };
}

function matches(e: Expectation, f: Finding): boolean {
  if (e.linter.toLowerCase() !== f.linter.toLowerCase()) return false;
  if (e.rule !== undefined && e.rule !== '' && e.rule !== f.rule) return false;
  if (e.level !== undefined && e.level !== '' && e.level.toLowerCase() !== f.level) return false;
  if (e.textContains !== undefined && e.textContains !== '' && !f.message.includes(e.textContains)) return false;
  return true;
}

function describe(e: Expectation): string {
  const parts = [`linter=${e.linter}`];
  if (e.rule) parts.push(`rule=${e.rule}`);
  if (e.level) parts.push(`level=${e.level}`);
  if (e.textContains) parts.push(`textContains=${JSON.stringify(e.textContains)}`);
  return parts.join(' ');
}

function formatFinding(f: Finding): string {
  return `linter=${f.linter} rule=${f.rule} level=${f.level} text=${JSON.stringify(f.message)}`;
}

/** DMT's Match: the failures of a case's expectations against the findings (empty when it passes). */
export function matchCase(spec: CaseSpec, findings: Finding[]): string[] {
  const failures: string[] = [];
  if (spec.expectClean && findings.length > 0) {
    return [`expected clean run but got ${findings.length} finding(s)`];
  }
  const matched = new Array<boolean>(findings.length).fill(false);
  for (const e of spec.expect) {
    let hits = 0;
    findings.forEach((f, i) => {
      if (matches(e, f)) {
        hits++;
        matched[i] = true;
      }
    });
    if (e.count !== undefined && e.count > 0 && hits !== e.count)
      failures.push(`expected ${e.count} finding(s) for [${describe(e)}], got ${hits}`);
    else if ((e.count === undefined || e.count === 0) && hits === 0)
      failures.push(`expected at least one finding for [${describe(e)}], got none`);
  }
  for (const e of spec.expectAbsent) {
    for (const f of findings)
      if (matches(e, f)) failures.push(`expected no finding for [${describe(e)}], but got: ${formatFinding(f)}`);
  }
  if (spec.exhaustive) {
    findings.forEach((f, i) => {
      if (!matched[i]) failures.push(`unexpected finding (exhaustive mode): ${formatFinding(f)}`);
    });
  }
  for (const e of spec.expectPass) {
    const hits = findings.filter((f) => matches(e, f)).length;
    if (hits > 0) failures.push(`expected rule to pass for [${describe(e)}], got ${hits} finding(s)`);
  }
  return failures;
}

/** Case directories (holding expected.yaml) under `<checkout>/test/e2e/testdata`, as `<linter>/<case>`. */
function discoverCases(checkout: string): Array<{ name: string; dir: string }> {
  const root = join(checkout, 'test', 'e2e', 'testdata');
  if (!isDir(root)) throw new Error(`${root} is not a directory: pass the path of a deckhouse/dmt checkout`);
  const out: Array<{ name: string; dir: string }> = [];
  const walk = (dir: string): void => {
    if (exists(join(dir, 'expected.yaml'))) {
      out.push({ name: relative(root, dir), dir });
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs one case: copies its module to a scratch folder (hermetic, like DMT's runner) and lints it. */
async function runCase(name: string, dir: string, helm?: string | null): Promise<CaseResult> {
  const started = performance.now();
  const spec = loadCaseSpec(dir);
  if (spec.skip) return { name, status: 'skip', failures: [], findings: [], durationMs: 0 };
  const scratch = mkdtempSync(join(tmpdir(), 'modsync-conformance-'));
  try {
    const src = join(dir, spec.module);
    const target = join(scratch, basename(src));
    cpSync(src, target, { recursive: true, dereference: true });
    let findings: Finding[];
    if (spec.kind === 'conversions') findings = await testConversions(target);
    else
      findings = (await lint(target, { fix: spec.kind === 'fix', ...(helm !== undefined ? { helm } : {}) })).findings;
    const failures = matchCase(spec, findings);
    return {
      name,
      status: failures.length ? 'fail' : 'pass',
      failures,
      findings,
      durationMs: performance.now() - started,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs every case of a DMT checkout; `onCase` sees each result as it completes. */
export async function runConformance(
  checkout: string,
  opts: { helm?: string | null; filter?: string; onCase?: (r: CaseResult) => void } = {},
): Promise<ConformanceReport> {
  const results: CaseResult[] = [];
  for (const c of discoverCases(checkout)) {
    if (opts.filter && !c.name.includes(opts.filter)) continue;
    let res: CaseResult;
    try {
      res = await runCase(c.name, c.dir, opts.helm);
    } catch (err) {
      res = {
        name: c.name,
        status: 'fail',
        failures: [`case crashed: ${(err as Error).message}`],
        findings: [],
        durationMs: 0,
      };
    }
    results.push(res);
    opts.onCase?.(res);
  }
  return {
    cases: results,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    skipped: results.filter((r) => r.status === 'skip').length,
  };
}
