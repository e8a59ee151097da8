/** @modsync/lint: DMT-compatible module linting (`modsync lint`). */

export { lint, LINTERS, sortFindings } from './runner.ts';
export type { Finding, LintResult } from './core/types.ts';
export { hasFailures } from './core/types.ts';
export { LintSettings } from './config/settings.ts';
export { formatHuman } from './format/human.ts';
export { formatJSON } from './format/json.ts';
export { formatSARIF } from './format/sarif.ts';
export { sendDmtMetrics } from './metrics/dmt-metrics.ts';
export { runConformance } from './conformance/conformance.ts';
export { testConversions } from './testers/conversions.ts';
export { discoverModules } from './module/module.ts';
export { decideLintGate } from './gate.ts';

/** The version reported in metrics and SARIF. */
export const LINT_VERSION = '0.1.0';
