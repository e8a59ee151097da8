#!/usr/bin/env node
// `npm run bench`: the benchmark scripts bench/p1-*.ts … bench/p6-*.ts that exist, in order, each in a process of its
// own (each starts what it needs and writes bench/results/pN-<timestamp>.json); then one table of all their figures,
// read back from those files. Exits 1 when a script failed or a figure is an error.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, type Figure } from './figures.ts';
import { BENCH_DIR } from './harness.ts';

const scripts = readdirSync(BENCH_DIR)
  .filter((f) => /^p[1-6]-[a-z0-9-]+\.ts$/.test(f))
  .sort();
const resultsDir = join(BENCH_DIR, 'results');
const before = new Set(readdirSync(resultsDir));
let failed = false;
for (const script of scripts) {
  process.stderr.write(`\n[suite] ${script}\n`);
  const run = spawnSync(process.execPath, [join(BENCH_DIR, script)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed = true;
    process.stderr.write(`[suite] ${script} exited with ${run.status ?? run.signal}\n`);
  }
}
const files = readdirSync(resultsDir)
  .filter((f) => !before.has(f) && /^p[1-6]-.*\.json$/.test(f))
  .sort();
const figures = files.flatMap(
  (f) =>
    (JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as { figures: (Figure & { result: string })[] }).figures,
);
process.stdout.write(
  `\nmodsync benchmark suite: ${scripts.join(', ')}\n\n${formatTable(figures)}\n\nresults: ${files.map((f) => `bench/results/${f}`).join(', ')}\n`,
);
process.exit(failed || figures.some((f) => f.result === 'error') ? 1 : 0);
