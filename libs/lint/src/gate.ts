import type { Finding, LintResult } from './core/types.ts';

/** The installer's deploy gate: whether a module bundle may be installed given its lint result. */
export interface GateDecision {
  allowed: boolean;
  /** For the Module's status message when refused: the blocking findings, most important first. */
  message: string;
  blocking: Finding[];
}

export interface GateOptions {
  /** Refuse on warnings too. @defaultValue false */
  failOnWarnings?: boolean;
  /** Findings spelled out in the message; the rest are counted. @defaultValue 5 */
  maxListed?: number;
}

/** Decides the deploy gate from a lint result (pure; the installer applies it when configured to). */
export function decideLintGate(result: LintResult, opts: GateOptions = {}): GateDecision {
  const blocking = result.findings.filter(
    (f) => f.level === 'critical' || f.level === 'error' || (opts.failOnWarnings === true && f.level === 'warn'),
  );
  if (blocking.length === 0) return { allowed: true, message: '', blocking };
  const max = opts.maxListed ?? 5;
  const listed = blocking
    .slice(0, max)
    .map(
      (f) =>
        `[${f.linter}/${f.rule || f.linter}] ${f.message.split('\n')[0]}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : ''}`,
    );
  const more = blocking.length > max ? `; and ${blocking.length - max} more` : '';
  return {
    allowed: false,
    message: `module lint failed with ${blocking.length} finding(s): ${listed.join('; ')}${more}`,
    blocking,
  };
}
