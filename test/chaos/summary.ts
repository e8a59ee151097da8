import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One row of the chaos summary: a scenario, how often its fault was injected, how often what must hold did not. */
export interface ScenarioResult {
  scenario: string;
  runs: number;
  failures: number;
  /** Fault injected → the checked state holds again, per run (ms). */
  recoveryMs: number[];
}

/** Appends a row to the run's results (read by test/chaos/global-setup.ts at the end). */
export async function recordScenario(dir: string, result: ScenarioResult): Promise<void> {
  await appendFile(join(dir, 'chaos-results.jsonl'), `${JSON.stringify(result)}\n`);
}

/** The table printed at the end of the chaos run: recovery as the median and the worst run. */
export function formatSummary(results: ScenarioResult[]): string {
  const rows = [['scenario', 'runs', 'failures', 'recovery (median / max)']];
  for (const r of results) {
    const sorted = [...r.recoveryMs].sort((a, b) => a - b);
    const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : undefined;
    const recovery = median === undefined ? '—' : `${seconds(median)} / ${seconds(sorted.at(-1)!)}`;
    rows.push([r.scenario, String(r.runs), String(r.failures), recovery]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    'chaos summary',
    line(rows[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
