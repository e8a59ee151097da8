import { isAbsolute, relative } from 'node:path';
import type { Finding, LintResult } from '../core/types.ts';
import { toSlash } from '../fs/files.ts';

const DOCS = 'https://github.com/deckhouse/dmt/tree/main/pkg/linters';

function sarifLevel(level: Finding['level']): 'error' | 'warning' | 'note' | 'none' {
  switch (level) {
    case 'critical':
    case 'error':
      return 'error';
    case 'warn':
      return 'warning';
    default:
      return 'note';
  }
}

/** A repository-relative URI for a finding's file: module-relative paths are joined to the module path. */
function artifactURI(result: LintResult, f: Finding, baseDir: string): string | undefined {
  if (!f.file) return undefined;
  const mod = result.modules.find((m) => m.name === f.module);
  const abs = isAbsolute(f.file) ? f.file : mod ? `${mod.path}/${f.file}` : `${result.root}/${f.file}`;
  const rel = toSlash(relative(baseDir, abs));
  return rel === '' ? '.' : rel.split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0 for GitHub code scanning; paths are relative to `baseDir` (the repository root). */
export function toSARIF(
  result: LintResult,
  opts: { baseDir?: string; toolVersion?: string } = {},
): Record<string, unknown> {
  const baseDir = opts.baseDir ?? result.root;
  const ruleIds = [...new Set(result.findings.map((f) => `${f.linter}/${f.rule || f.linter}`))].sort();
  const rules = ruleIds.map((id) => {
    const [linter, rule] = id.split('/') as [string, string];
    return {
      id,
      name: rule,
      shortDescription: { text: `DMT ${linter} linter, rule ${rule}` },
      helpUri: `${DOCS}/${linter}#${rule}`,
      properties: { linter },
    };
  });
  const results = result.findings
    .filter((f) => f.level !== 'ignored')
    .map((f) => {
      const ruleId = `${f.linter}/${f.rule || f.linter}`;
      const uri = artifactURI(result, f, baseDir);
      const res: Record<string, unknown> = {
        ruleId,
        ruleIndex: ruleIds.indexOf(ruleId),
        level: sarifLevel(f.level),
        message: { text: f.object ? `${f.message} (${f.object})` : f.message },
        properties: { module: f.module, dmtLevel: f.level },
      };
      if (uri) {
        const physical: Record<string, unknown> = { artifactLocation: { uri, uriBaseId: '%SRCROOT%' } };
        if (f.line) physical['region'] = { startLine: f.line };
        res['locations'] = [{ physicalLocation: physical }];
      }
      return res;
    });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'modsync-lint',
            informationUri: 'https://github.com/deckhouse/dmt',
            version: opts.toolVersion ?? '0.1.0',
            rules,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${toSlash(baseDir).replace(/\/?$/, '/')}` } },
        results,
      },
    ],
  };
}

export function formatSARIF(result: LintResult, opts: { baseDir?: string; toolVersion?: string } = {}): string {
  return `${JSON.stringify(toSARIF(result, opts), null, 2)}\n`;
}
