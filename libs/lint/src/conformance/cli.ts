#!/usr/bin/env node
/** `node libs/lint/src/conformance/cli.ts <dmt-checkout> [filter] [-v]`: the conformance run as a script. */
import { runConformance } from './conformance.ts';

const args = process.argv.slice(2);
const verbose = args.includes('-v');
const [checkout, filter] = args.filter((a) => a !== '-v');
if (!checkout) {
  process.stderr.write('usage: cli.ts <dmt-checkout> [case-filter] [-v]\n');
  process.exit(2);
}
const report = await runConformance(checkout, {
  ...(filter ? { filter } : {}),
  onCase: (r) => {
    process.stdout.write(`${r.status.toUpperCase().padEnd(4)} ${r.name}\n`);
    if (r.status === 'fail' && verbose) {
      for (const f of r.failures) process.stdout.write(`     - ${f}\n`);
      for (const f of r.findings)
        process.stdout.write(`       · ${f.linter}/${f.rule} ${f.level}: ${f.message.split('\n')[0]}\n`);
    }
  },
});
const total = report.passed + report.failed;
process.stdout.write(
  `\n${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (${total ? ((100 * report.passed) / total).toFixed(1) : '0'}% of ${total} run)\n`,
);
