import { lint as markdownlint } from 'markdownlint/sync';
import { readFileSync, readdirSync } from 'node:fs';
import { MARKDOWNLINT_CONFIG } from './linters/documentation.ts';
const dir = process.argv[2]!;
const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
const t0 = performance.now();
if (process.argv[3] === 'each') {
  for (const f of files) markdownlint({ strings: { [f]: readFileSync(`${dir}/${f}`, 'utf8') }, config: MARKDOWNLINT_CONFIG as never });
} else {
  const strings: Record<string, string> = {};
  for (const f of files) strings[f] = readFileSync(`${dir}/${f}`, 'utf8');
  markdownlint({ strings, config: MARKDOWNLINT_CONFIG as never });
}
console.log(process.argv[3] ?? 'all', (performance.now() - t0).toFixed(0), 'ms', (process.memoryUsage().rss / 1e6).toFixed(0), 'MB');
