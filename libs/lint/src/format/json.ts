import type { LintResult } from '../core/types.ts';
import { countLevels, LEVELS } from '../core/types.ts';

/** The version of the `--format json` document; bumped on incompatible changes. */
const JSON_FORMAT_VERSION = 1;

/** JSON Schema (draft 2020-12) of the `--format json` document. */
export const JSON_OUTPUT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://modsync.dev/schemas/lint-result.json',
  title: 'modsync lint result',
  type: 'object',
  required: ['version', 'root', 'modules', 'findings', 'summary', 'durationMs', 'notes'],
  additionalProperties: false,
  properties: {
    version: { const: JSON_FORMAT_VERSION },
    root: { type: 'string' },
    modules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'path', 'namespace'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, path: { type: 'string' }, namespace: { type: 'string' } },
      },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['linter', 'rule', 'module', 'level', 'message'],
        additionalProperties: false,
        properties: {
          linter: { type: 'string' },
          rule: { type: 'string' },
          module: { type: 'string' },
          level: { enum: [...LEVELS] },
          message: { type: 'string' },
          file: { type: 'string' },
          line: { type: 'integer', minimum: 1 },
          object: { type: 'string' },
          value: {},
          fixError: { type: 'string' },
        },
      },
    },
    summary: {
      type: 'object',
      required: ['critical', 'error', 'warn', 'ignored', 'total'],
      additionalProperties: false,
      properties: Object.fromEntries(
        ['critical', 'error', 'warn', 'ignored', 'total'].map((k) => [k, { type: 'integer', minimum: 0 }]),
      ),
    },
    durationMs: { type: 'number', minimum: 0 },
    notes: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** The `--format json` document. */
export function toJSONDocument(result: LintResult): Record<string, unknown> {
  const counts = countLevels(result.findings);
  return {
    version: JSON_FORMAT_VERSION,
    root: result.root,
    modules: result.modules,
    findings: result.findings.map(({ fixed: _fixed, ...f }) => f),
    summary: { ...counts, total: result.findings.length },
    durationMs: Math.round(result.durationMs),
    notes: result.notes,
  };
}

export function formatJSON(result: LintResult): string {
  return `${JSON.stringify(toJSONDocument(result), null, 2)}\n`;
}
