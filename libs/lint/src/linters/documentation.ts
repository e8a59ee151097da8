import { join } from 'node:path';
import type { Reporter } from '../core/reporter.ts';
import { basename, dirname, extname, isFile, readText } from '../fs/files.ts';
import { isRecord, tryParseYaml } from '../fs/yaml.ts';
import type { ModuleContext } from '../module/module.ts';
import { engineDoesNotReport } from './markdown-engine.ts';
import { cyrillicReport } from './no-cyrillic.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'documentation';
const MAX_DOCS_BYTES = 15 * 1024 * 1024;

/** The markdownlint settings DMT applies to module docs. */
const MARKDOWNLINT_CONFIG: Record<string, unknown> = {
  default: true,
  MD002: false,
  MD004: false,
  MD013: {
    line_length: 1000,
    heading_line_length: 128,
    code_block_line_length: 400,
    code_blocks: true,
    tables: true,
    headings: true,
    strict: false,
    stern: false,
  },
  MD022: { lines_above: 1, lines_below: 1 },
  MD024: { siblings_only: true },
  MD026: { punctuation: '.,;:!。，；：！' },
  MD029: { style: 'one_or_ordered' },
  MD032: false,
  MD033: false,
  MD041: { level: 1, front_matter_title: String.raw`^\s*title\s*[:=]` },
  MD042: true,
  MD044: { names: [], code_blocks: true },
  MD045: true,
  MD046: { style: 'consistent' },
  MD047: true,
  MD048: { style: 'consistent' },
  MD049: { style: 'consistent' },
  MD050: { style: 'consistent' },
  // DMT turns off MD051 and MD060 only: MD053, MD054 and MD059 stay on, as in its engine.
  MD051: false,
  MD060: false,
};

/** Top-level docs/*.md files (DMT lints no subfolders of docs/). */
function topDocs(ctx: ModuleContext, exts: string[] = ['.md']): Array<{ rel: string; abs: string }> {
  return ctx.tree.files.filter(
    (f) => f.rel.startsWith('docs/') && dirname(f.rel) === 'docs' && exts.includes(extname(f.rel)),
  );
}

const FRONT_MATTER_DELIM = /^---\s*$/;

export const documentationLinter: Linter = {
  id: ID,
  description: 'Documentation linter checks module documentation requirements',
  rules: [
    'readme',
    'bilingual',
    'cyrillic-in-english',
    'no-lang-key',
    'markdownlint',
    'markdownlint-strict',
    'size',
    'front-matter',
  ],
  async run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    guard(r('readme'), 'docs/README.md', () => {
      const path = join(ctx.path, 'docs', 'README.md');
      const f = ctx.files.get('docs/README.md');
      if (!f && !isFile(path)) r('readme').withFile(path).error('README.md file is missing in docs/ directory');
      else if (f && f.size === 0) r('readme').withFile(path).error('README.md file is empty');
    });
    guard(r('bilingual'), 'docs', () => checkBilingual(ctx, r('bilingual')));
    for (const f of topDocs(ctx, ['.md', '.markdown'])) {
      if (/\.ru\.md$/.test(f.rel) || /_ru\.md$/i.test(f.rel)) continue;
      guard(r('cyrillic-in-english').withFile(f.rel), f.rel, () => {
        const found = cyrillicReport(readText(f.abs), true);
        if (found)
          r('cyrillic-in-english')
            .withFile(f.rel)
            .withValue(found)
            .error('English documentation contains cyrillic characters');
      });
    }
    for (const f of topDocs(ctx)) {
      guard(r('no-lang-key').withFile(f.rel), f.rel, () => {
        const text = readText(f.abs);
        const fm = extractFrontMatter(text);
        if (fm !== undefined && /^lang:\s/m.test(fm)) {
          const line = text.split('\n').findIndex((l) => /^lang:\s/.test(l)) + 1;
          r('no-lang-key')
            .withFile(f.rel)
            .withValue(`Line ${line}: front matter contains 'lang' key which should be removed`)
            .error("Documentation contains 'lang' key in front matter; this field should be removed");
        }
      });
    }
    await checkMarkdown(ctx, r('markdownlint'), r('markdownlint-strict'));
    guard(r('size'), 'docs', () => {
      let total = 0;
      for (const f of ctx.tree.files)
        if (f.rel.startsWith('docs/') && !f.rel.startsWith('docs/internal/')) total += f.size;
      if (total > MAX_DOCS_BYTES)
        r('size')
          .withFile(join(ctx.path, 'docs'))
          .withValue(formatBytes(total))
          .error(`docs/ directory size exceeds the limit of ${formatBytes(MAX_DOCS_BYTES)}`);
    });
    for (const f of ctx.tree.files) {
      if (!f.rel.startsWith('docs/') || extname(f.rel) !== '.md' || f.rel.startsWith('docs/internal/')) continue;
      guard(r('front-matter').withFile(f.rel), f.rel, () =>
        checkFrontMatter(readText(f.abs), r('front-matter').withFile(f.rel)),
      );
    }
  },
};

function extractFrontMatter(text: string): string | undefined {
  const lines = text.split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    if (FRONT_MATTER_DELIM.test(lines[i]!)) {
      if (start < 0) start = i;
      else return lines.slice(start + 1, i).join('\n');
    }
  }
  return undefined;
}

function checkBilingual(ctx: ModuleContext, report: Reporter): void {
  const set = new Set<string>();
  for (const f of topDocs(ctx)) set.add(f.rel.toLowerCase().endsWith('_ru.md') ? f.rel.toLowerCase() : f.rel);
  for (const rel of [...set].sort()) {
    if (rel.endsWith('_ru.md') || rel.endsWith('.ru.md')) continue;
    const base = rel.slice(0, -'.md'.length);
    if (set.has(`${base.toLowerCase()}_ru.md`)) continue;
    if (!set.has(`${base}.ru.md`))
      report.withFile(rel).error('Russian counterpart is missing: need to create a matching .ru.md in docs/');
  }
}

/**
 * markdownlint with DMT's settings. A finding DMT's engine would not report goes to `markdownlint-strict` (ours,
 * off by default), the rest to `markdownlint`.
 */
async function checkMarkdown(ctx: ModuleContext, report: Reporter, strict: Reporter): Promise<void> {
  const files = topDocs(ctx).filter((f) => basename(f.rel) !== 'README.md');
  if (files.length === 0) return;
  // Imported here: markdownlint and micromark are a third of the CLI's code, and a run loads them while helm renders.
  const { lint: markdownlint } = await import('markdownlint/sync');
  const strings: Record<string, string> = {};
  for (const f of files) {
    guard(report.withFile(f.rel), f.rel, () => {
      strings[f.rel] = readText(f.abs);
    });
  }
  let results: Record<string, Array<{ lineNumber: number; ruleNames: string[]; ruleDescription: string }>>;
  try {
    results = markdownlint({ strings, config: MARKDOWNLINT_CONFIG as never }) as never;
  } catch (err) {
    report
      .withFile(ctx.path)
      .withValue((err as Error).message)
      .error(`markdownlint failed: ${(err as Error).message}`);
    return;
  }
  for (const rel of Object.keys(results).sort()) {
    const lines = strings[rel]?.split('\n') ?? [];
    for (const e of results[rel] ?? []) {
      const to = engineDoesNotReport(e.ruleNames[0] ?? '', e.lineNumber, lines) ? strict : report;
      to.withFile(rel)
        .withLine(e.lineNumber)
        .error(`${e.ruleNames.join('/')} ${e.ruleDescription}`);
    }
  }
}

/** The `front-matter` rule: a `---` block opened on line 1 closes and holds a YAML mapping. */
function checkFrontMatter(text: string, report: Reporter): void {
  const lines = text.split('\n');
  if (lines.length === 0 || !FRONT_MATTER_DELIM.test(lines[0]!)) return;
  let end = -1;
  for (let i = 1; i < lines.length; i++) {
    if (FRONT_MATTER_DELIM.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    report.error(
      'unterminated YAML front matter: the block opened by "---" on line 1 is never closed by a matching "---"',
    );
    return;
  }
  const [value, err] = tryParseYaml(lines.slice(1, end).join('\n'));
  if (err) {
    report.error(`invalid YAML front matter:\n${err.message}`);
    return;
  }
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    const goType =
      typeof value === 'string'
        ? 'string'
        : typeof value === 'number'
          ? Number.isInteger(value)
            ? 'int'
            : 'float64'
          : typeof value === 'boolean'
            ? 'bool'
            : '[]interface {}';
    report.warn(`front matter between "---" delimiters must be a YAML mapping (key: value metadata), got ${goType}`);
  }
}

function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  let div = 1024;
  let exp = 0;
  for (let n = Math.floor(size / 1024); n >= 1024; n = Math.floor(n / 1024)) {
    div *= 1024;
    exp++;
  }
  return `${(size / div).toFixed(1)} ${'KMGTPE'[exp]}B`;
}
