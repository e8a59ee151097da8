import type { Autofix, Finding, Level } from './types.ts';
import { levelRank } from './types.ts';

/** Where findings accumulate, with the fixes that `--fix` may apply. */
export class FindingSink {
  readonly findings: Finding[] = [];
  readonly fixes = new Map<Finding, Autofix>();

  /** Runs every collected fix; a fixed finding is marked and later left out, a failed one keeps the error. */
  async applyFixes(): Promise<void> {
    for (const [finding, fix] of this.fixes) {
      try {
        await fix();
        finding.fixed = true;
      } catch (err) {
        finding.fixError = err instanceof Error ? err.message : String(err);
      }
    }
  }

  results(): Finding[] {
    return this.findings.filter((f) => !f.fixed);
  }
}

interface ReporterContext {
  linter: string;
  rule: string;
  module: string;
  file?: string;
  line?: number;
  object?: string;
  value?: unknown;
  /** Findings above this level are lowered to it; `undefined` means no cap (DMT's `WithMaxLevel(nil)`). */
  maxLevel?: Level;
  fix?: Autofix;
}

/**
 * An immutable builder in the manner of DMT's `LintRuleErrorsList`: each `with*` returns a copy that
 * shares the sink, and `error`/`warn` record a finding whose level is capped by `maxLevel`.
 */
export class Reporter {
  readonly #sink: FindingSink;
  readonly #ctx: ReporterContext;

  constructor(sink: FindingSink, ctx: Partial<ReporterContext> = {}) {
    this.#sink = sink;
    this.#ctx = { linter: '', rule: '', module: '', maxLevel: 'error', ...ctx };
  }

  get sink(): FindingSink {
    return this.#sink;
  }

  get rule(): string {
    return this.#ctx.rule;
  }

  get linter(): string {
    return this.#ctx.linter;
  }

  get file(): string | undefined {
    return this.#ctx.file;
  }

  #with(patch: Partial<ReporterContext>): Reporter {
    return new Reporter(this.#sink, { ...this.#ctx, ...patch });
  }

  withLinter(linter: string): Reporter {
    return this.#with({ linter: linter.toLowerCase() });
  }
  withRule(rule: string): Reporter {
    return this.#with({ rule });
  }
  withModule(module: string): Reporter {
    return this.#with({ module });
  }
  withFile(file: string | undefined): Reporter {
    return this.#with({ file });
  }
  withLine(line: number | undefined): Reporter {
    return this.#with({ line });
  }
  withObject(object: string): Reporter {
    return this.#with({ object });
  }
  withValue(value: unknown): Reporter {
    return this.#with({ value });
  }
  withMaxLevel(maxLevel: Level | undefined): Reporter {
    return this.#with({ maxLevel });
  }
  withFix(fix: Autofix): Reporter {
    return this.#with({ fix });
  }

  error(message: string): void {
    this.#add(message, 'error');
  }
  warn(message: string): void {
    this.#add(message, 'warn');
  }

  #add(message: string, wanted: Level): void {
    const { maxLevel, fix, ...ctx } = this.#ctx;
    const level = maxLevel !== undefined && levelRank(maxLevel) < levelRank(wanted) ? maxLevel : wanted;
    const finding: Finding = { linter: ctx.linter, rule: ctx.rule, module: ctx.module, level, message };
    if (ctx.file !== undefined && ctx.file !== '') finding.file = ctx.file;
    if (ctx.line !== undefined && ctx.line !== 0) finding.line = ctx.line;
    if (ctx.object !== undefined && ctx.object !== '') finding.object = ctx.object;
    if (ctx.value !== undefined) finding.value = ctx.value;
    this.#sink.findings.push(finding);
    if (fix) this.#sink.fixes.set(finding, fix);
  }
}
