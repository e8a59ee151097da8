import { pathExcluded, stringList } from '../config/settings.ts';
import { extname, readText } from '../fs/files.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'no-cyrillic';
const EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.go']);
/** Localized files and paths that may hold Cyrillic (DMT's skip list). */
const SKIP_RE =
  /doc-ru-.+\.y[a]?ml$|\.ru\.y[a]?ml$|\.ru\.json$|\.ru\.md$|\.ru\.html$|_RU\.md$|_ru\.html$|docs\/site\/_.+|docs\/documentation\/_.+|tools\/spelling\/.+|openapi\/conversions\/.+|module.yaml|ru\..+/;

/** The checker's own sources, which list the letters they look for (DMT's skipSelfRe). */
const SKIP_SELF_RE = /no_cyrillic(_test)?\.go$/;

const CYR = /[А-Яа-яЁё]/;

/** Marks Cyrillic letters of a line under it with `^` (DMT's cursor line). */
function cyrillicCursor(line: string): string {
  const trimmed = line.trim();
  const cursor = trimmed
    .replace(/[^А-Яа-яЁё]/g, '-')
    .replace(/[А-Яа-яЁё]/g, '^')
    .replace(/-+$/, '');
  return `${trimmed}\n${cursor}`;
}

/** Lines with Cyrillic letters and their cursors; `numbered` prefixes `Line N:`. */
export function cyrillicReport(text: string, numbered: boolean): string | undefined {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (CYR.test(line)) out.push(numbered ? `Line ${i + 1}: ${cyrillicCursor(line)}` : cyrillicCursor(line));
  });
  return out.length ? out.join('\n') : undefined;
}

export const noCyrillicLinter: Linter = {
  id: ID,
  description: 'NoCyrillic will check all files in the modules for contains cyrillic symbols',
  rules: ['files'],
  run(ctx, report) {
    const rep = ruleReporter(ctx, report, ID, 'files');
    const files = stringList(ctx.settings.excludes(ID, 'files'));
    const dirs = stringList(ctx.settings.excludes(ID, 'directories'));
    for (const f of ctx.tree.files) {
      if (!EXTENSIONS.has(extname(f.rel))) continue;
      if (pathExcluded(files, dirs, f.rel)) continue;
      if (SKIP_RE.test(f.rel) || SKIP_SELF_RE.test(f.rel) || `/${f.rel}`.includes('/i18n/')) continue;
      guard(rep.withFile(f.rel), f.rel, () => {
        const found = cyrillicReport(readText(f.abs), false);
        if (found !== undefined) rep.withFile(f.rel).withValue(found).error('has cyrillic letters');
      });
    }
  },
};
