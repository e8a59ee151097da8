import type { LintResult } from '../core/types.ts';
import type { LintSettings } from '../config/settings.ts';
import { repositoryAddress } from '../module/git.ts';
import type { TimeSeries } from './remote-write.ts';
import { sendRemoteWrite } from './remote-write.ts';

/** Prometheus client_golang's default histogram buckets (DMT's dmt_runtime_duration). */
const DEF_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsIdentity {
  id: string;
  repository: string;
}

/**
 * DMT's identity labels: `repository` is DMT_REPOSITORY or the git origin (as https); `id` is DMT_METRICS_ID
 * or the repository's last path element. Both are empty when no repository is known.
 */
export function metricsIdentity(dir: string, env: NodeJS.ProcessEnv = process.env): MetricsIdentity {
  const repository = env['DMT_REPOSITORY'] || repositoryAddress(dir);
  if (repository === '') return { id: '', repository: '' };
  const parts = repository.split('/');
  const fromRepo = parts.length > 1 ? parts[parts.length - 1]! : repository;
  return { id: env['DMT_METRICS_ID'] || fromRepo, repository };
}

function series(name: string, labels: Record<string, string>, value: number, timestampMs: number): TimeSeries {
  return {
    labels: [{ name: '__name__', value: name }, ...Object.entries(labels).map(([k, v]) => ({ name: k, value: v }))],
    samples: [{ value, timestampMs }],
  };
}

/**
 * The series DMT sends after a lint run: dmt_info, dmt_linter_info (linters whose global impact is warn),
 * dmt_linter_check_count per linter/rule/level, dmt_runtime_duration (histogram) and
 * dmt_runtime_duration_seconds.
 */
export function buildDmtSeries(
  result: LintResult,
  identity: MetricsIdentity,
  opts: { version: string; settings?: LintSettings; now?: number },
): TimeSeries[] {
  const now = opts.now ?? Date.now();
  const { id, repository } = identity;
  const out: TimeSeries[] = [series('dmt_info', { id, version: opts.version, repository }, 1, now)];
  const warnLinters = new Map<string, string>();
  for (const w of opts.settings?.globalWarnLinters() ?? []) warnLinters.set(w.linter, w.level);
  for (const [linter, level] of warnLinters) out.push(series('dmt_linter_info', { id, linter, level }, 1, now));
  const counts = new Map<string, { linter: string; rule: string; level: string; n: number }>();
  for (const f of result.findings) {
    const key = `${f.linter}\u0000${f.rule}\u0000${f.level}`;
    const c = counts.get(key) ?? { linter: f.linter, rule: f.rule, level: f.level, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  for (const c of counts.values())
    out.push(series('dmt_linter_check_count', { id, linter: c.linter, rule: c.rule, level: c.level }, c.n, now));
  const seconds = result.durationMs / 1000;
  out.push(series('dmt_runtime_duration_sum', { id, repository }, seconds, now));
  out.push(series('dmt_runtime_duration_count', { id, repository }, 1, now));
  for (const le of DEF_BUCKETS)
    out.push(series('dmt_runtime_duration_bucket', { id, repository, le: String(le) }, seconds <= le ? 1 : 0, now));
  out.push(series('dmt_runtime_duration_bucket', { id, repository, le: '+Inf' }, 1, now));
  out.push(series('dmt_runtime_duration_seconds', { id, repository }, seconds, now));
  return out;
}

export interface SendMetricsOptions {
  env?: NodeJS.ProcessEnv;
  version: string;
  settings?: LintSettings;
  /** @defaultValue 30000 */
  timeoutMs?: number;
}

/**
 * Sends the run's metrics when DMT_METRICS_URL is set (with DMT_METRICS_TOKEN as the bearer token).
 * Returns a warning text on failure (never throws, never mentions the token), `undefined` otherwise.
 */
export async function sendDmtMetrics(result: LintResult, opts: SendMetricsOptions): Promise<string | undefined> {
  const env = opts.env ?? process.env;
  const url = env['DMT_METRICS_URL'];
  if (!url) return undefined;
  const token = env['DMT_METRICS_TOKEN'];
  try {
    const payload = buildDmtSeries(result, metricsIdentity(result.root, env), {
      version: opts.version,
      ...(opts.settings ? { settings: opts.settings } : {}),
    });
    await sendRemoteWrite(payload, {
      url,
      ...(token ? { token } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      userAgent: `modsync-lint/${opts.version}`,
    });
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return `warning: could not send lint metrics: ${token ? msg.replaceAll(token, '***') : msg}`;
  }
}
