/** @modsync/lint: DMT-compatible module linting (`modsync lint`). */

export { lint, LINTERS, sortFindings } from './runner.ts';
export type { LintOptions } from './runner.ts';
export type { Finding, Level, LintResult, LevelCounts } from './core/types.ts';
export { countLevels, hasFailures, LEVELS, parseLevel } from './core/types.ts';
export type { Linter } from './linters/linter.ts';
export { LintSettings, findConfigFile, CONFIG_FILE_NAMES } from './config/settings.ts';
export { findHelm, helmCacheDir } from './module/helm.ts';
export { formatHuman } from './format/human.ts';
export type { HumanOptions } from './format/human.ts';
export { formatJSON, toJSONDocument, JSON_OUTPUT_SCHEMA, JSON_FORMAT_VERSION } from './format/json.ts';
export { formatSARIF, toSARIF } from './format/sarif.ts';
export { buildDmtSeries, metricsIdentity, sendDmtMetrics } from './metrics/dmt-metrics.ts';
export type { MetricsIdentity, SendMetricsOptions } from './metrics/dmt-metrics.ts';
export { encodeWriteRequest, decodeWriteRequest, snappyCompress, snappyDecompress, sendRemoteWrite } from './metrics/remote-write.ts';
export type { TimeSeries, Label, Sample, SendOptions } from './metrics/remote-write.ts';
export { runConformance, runCase, discoverCases, loadCaseSpec, matchCase } from './conformance/conformance.ts';
export type { CaseResult, CaseSpec, ConformanceReport, Expectation } from './conformance/conformance.ts';
export { testConversions } from './testers/conversions.ts';
export { discoverModules } from './module/module.ts';
export { decideLintGate } from './gate.ts';
export type { GateDecision, GateOptions } from './gate.ts';
export {
  LintError,
  FileTooLargeError,
  BinaryFileError,
  HelmNotFoundError,
  HelmRenderError,
  ConfigError,
  MetricsSendError,
} from './errors.ts';

/** The version reported in metrics and SARIF. */
export const LINT_VERSION = '0.1.0';
