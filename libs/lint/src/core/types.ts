/**
 * The finding model, shaped like DMT's `LinterError` so results compare 1:1 with `dmt lint`:
 * linter and rule IDs are DMT's, levels are DMT's (`ignored` / `warn` / `error`, plus `critical`).
 */

/** DMT severity levels, lowest first. */
export type Level = 'ignored' | 'warn' | 'error' | 'critical';

export const LEVELS: readonly Level[] = ['ignored', 'warn', 'error', 'critical'];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** DMT's `ParseStringToLevel`: unknown strings mean `error`. */
export function parseLevel(value: unknown): Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value) ? (value as Level) : 'error';
}

/** One lint finding. `file` is relative to the module root when the finding is about a module file. */
export interface Finding {
  linter: string;
  rule: string;
  module: string;
  level: Level;
  message: string;
  file?: string;
  line?: number;
  object?: string;
  value?: unknown;
  /** Set when `--fix` resolved the finding (it is then left out of results). */
  fixed?: boolean;
  /** Set when `--fix` tried and failed. */
  fixError?: string;
}

/** A deferred autofix attached to a finding; it runs only with `--fix`. */
export type Autofix = () => Promise<void> | void;

/** Everything a lint run produced. */
export interface LintResult {
  /** Absolute path that was linted. */
  root: string;
  /** Modules found under the root (name and absolute path). */
  modules: Array<{ name: string; path: string; namespace: string }>;
  findings: Finding[];
  /** Wall-clock duration of the run. */
  durationMs: number;
  /** Notes that are not findings (e.g. "helm not found, templates rendered skipped"). */
  notes: string[];
}

export interface LevelCounts {
  critical: number;
  error: number;
  warn: number;
  ignored: number;
}

export function countLevels(findings: readonly Finding[]): LevelCounts {
  const counts: LevelCounts = { critical: 0, error: 0, warn: 0, ignored: 0 };
  for (const f of findings) counts[f.level]++;
  return counts;
}

/** DMT exits non-zero when any finding is `error` (or `critical`); `strict` also fails on warnings. */
export function hasFailures(findings: readonly Finding[], strict = false): boolean {
  return findings.some((f) => f.level === 'error' || f.level === 'critical' || (strict && f.level === 'warn'));
}
