import { styleText } from 'node:util';
import type { Finding, LintResult } from '../core/types.ts';
import { countLevels } from '../core/types.ts';

export interface HumanOptions {
  /** Colour the output (on a TTY). @defaultValue false */
  color?: boolean;
  /** Show `ignored` findings. @defaultValue false */
  showIgnored?: boolean;
  /** Hide warnings. @defaultValue false */
  hideWarnings?: boolean;
}

type Style = Parameters<typeof styleText>[0];

/**
 * Human output: findings grouped by module, then linter, each with its rule, level, location, object and
 * message; a summary line at the end.
 */
export function formatHuman(result: LintResult, opts: HumanOptions = {}): string {
  const paint = (style: Style, text: string): string =>
    opts.color ? styleText(style, text, { validateStream: false }) : text;
  const levelStyle: Record<Finding['level'], Style> = {
    critical: ['bold', 'red'],
    error: 'red',
    warn: 'yellow',
    ignored: 'gray',
  };
  const shown = result.findings.filter(
    (f) => (opts.showIgnored || f.level !== 'ignored') && !(opts.hideWarnings && f.level === 'warn'),
  );
  const lines: string[] = [];
  const byModule = new Map<string, Finding[]>();
  for (const f of shown) byModule.set(f.module, [...(byModule.get(f.module) ?? []), f]);
  for (const [module, findings] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(paint('bold', `module ${module || '(unnamed)'}`));
    const byLinter = new Map<string, Finding[]>();
    for (const f of findings) byLinter.set(f.linter, [...(byLinter.get(f.linter) ?? []), f]);
    for (const [linter, list] of [...byLinter].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${paint('cyan', linter)}`);
      for (const f of list) {
        const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
        const head = `    ${paint(levelStyle[f.level], f.level.padEnd(5))} ${paint('blue', f.rule ? `[${f.rule}]` : '')}${where ? ` ${paint('dim', where)}` : ''}`;
        lines.push(head);
        const [first, ...rest] = f.message.split('\n');
        lines.push(`      ${first}`);
        for (const r of rest) lines.push(`      ${r}`);
        if (f.object && f.object !== f.module) lines.push(`      ${paint('dim', `object: ${f.object}`)}`);
        if (f.fixError) lines.push(`      ${paint('yellow', `autofix failed: ${f.fixError}`)}`);
      }
    }
    lines.push('');
  }
  for (const note of result.notes) lines.push(paint('yellow', `note: ${note}`));
  const c = countLevels(result.findings);
  const summary = `${result.modules.length} module(s), ${c.error + c.critical} error(s), ${c.warn} warning(s), ${c.ignored} ignored in ${Math.round(result.durationMs)} ms`;
  lines.push(
    c.error + c.critical > 0 ? paint('red', summary) : c.warn > 0 ? paint('yellow', summary) : paint('green', summary),
  );
  return `${lines.join('\n')}\n`;
}
