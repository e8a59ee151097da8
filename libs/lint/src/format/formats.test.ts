import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintResult } from '../core/types.ts';
import { lint } from '../runner.ts';
import { badCases, ensureHelm, materialize } from '../testdata.ts';
import { formatHuman } from './human.ts';
import { JSON_OUTPUT_SCHEMA, toJSONDocument } from './json.ts';
import { toSARIF } from './sarif.ts';

/** SARIF 2.1.0's published JSON Schema (draft-04), as shipped by @microsoft/jest-sarif. */
function sarifSchema(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // Draft-04 spells the identifier `id`; ajv 8 reads `$id`. The keywords the schema uses are otherwise shared.
  const { id, $schema: _draft, ...rest } = schema;
  return { $id: id, ...rest };
}

let result: LintResult;

beforeAll(async () => {
  const helm = ensureHelm();
  const c = badCases().find((x) => x.name === 'container/ports')!;
  const tree = materialize(c);
  try {
    result = await lint(tree.path, { helm });
  } finally {
    tree.cleanup();
  }
}, 1_800_000);

describe('output formats', () => {
  it('has findings to format', () => {
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('--format json validates against its schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON_OUTPUT_SCHEMA);
    const doc = JSON.parse(JSON.stringify(toJSONDocument(result)));
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('--format sarif validates against the SARIF 2.1.0 schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile(sarifSchema());
    const doc = JSON.parse(JSON.stringify(toSARIF(result, { baseDir: result.root })));
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const run = (doc.runs as Array<{ results: Array<{ ruleId: string; level: string }> }>)[0]!;
    expect(run.results.some((r) => r.ruleId === 'container/ports' && r.level === 'error')).toBe(true);
  });

  it('human output groups by module and linter and colours only when asked', () => {
    const plain = formatHuman(result, { color: false });
    expect(plain).toContain('module good-module');
    expect(plain).toContain('  container');
    expect(plain).toContain('[ports]');
    expect(plain).not.toContain('\u001b[');
    expect(formatHuman(result, { color: true })).toContain('\u001b[');
  });
});
