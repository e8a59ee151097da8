import type { Reporter } from '../core/reporter.ts';
import type { ModuleContext } from '../module/module.ts';

/** One DMT linter: an ID and the rules it runs over a module. */
export interface Linter {
  id: string;
  description: string;
  /** DMT rule IDs this linter can report. */
  rules: readonly string[];
  run(ctx: ModuleContext, report: Reporter): void | Promise<void>;
}

/**
 * Runs one rule's work; if it throws, the error becomes a finding of that rule naming the file, and the
 * caller goes on with the next file or rule.
 */
export function guard(report: Reporter, file: string | undefined, work: () => void): void {
  try {
    work();
  } catch (err) {
    crashFinding(report, file, err);
  }
}

export async function guardAsync(report: Reporter, file: string | undefined, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    crashFinding(report, file, err);
  }
}

export function crashFinding(report: Reporter, file: string | undefined, err: unknown): void {
  const msg = err instanceof Error ? err.message : String(err);
  const where = file ?? report.file;
  (where ? report.withFile(where) : report).error(
    `rule ${report.rule || report.linter} failed${where ? ` on ${where}` : ''}: ${msg}`,
  );
}

/** The rule-scoped reporter: rule ID and its level cap from the settings. */
export function ruleReporter(ctx: ModuleContext, report: Reporter, linter: string, rule: string): Reporter {
  return report.withRule(rule).withMaxLevel(ctx.settings.ruleLevel(linter, rule));
}
