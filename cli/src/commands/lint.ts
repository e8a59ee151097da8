import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  formatHuman,
  formatJSON,
  formatSARIF,
  hasFailures,
  lint,
  LINT_VERSION,
  LINTERS,
  LintSettings,
  runConformance,
  sendDmtMetrics,
  sortFindings,
} from '@modsync/lint';
import type { LintResult } from '@modsync/lint';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';

const FORMATS = ['human', 'json', 'sarif'] as const;

/** Why `dir` cannot be linted (missing, not a folder), or undefined when it is a folder. */
function notADirectory(dir: string): string | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : `${dir} is not a directory`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${dir} does not exist` : `cannot read ${dir}: ${(err as Error).message}`;
  }
}

function useColor(io: IO): boolean {
  if (io.env['NO_COLOR']) return false;
  if (io.env['FORCE_COLOR'] && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdout.isTTY === true;
}

/** Lints each directory and merges the results into one. */
async function lintAll(
  dirs: string[],
  opts: { fix: boolean; env: NodeJS.ProcessEnv; linters?: string[] },
): Promise<{ result: LintResult; empty: string[] }> {
  const results: LintResult[] = [];
  for (const dir of dirs)
    results.push(await lint(dir, { fix: opts.fix, env: opts.env, ...(opts.linters ? { linters: opts.linters } : {}) }));
  // A folder with no module at all (none linted, none refused with a finding).
  const empty = dirs.filter((_d, i) => results[i]!.modules.length === 0 && results[i]!.findings.length === 0);
  return { result: merge(results), empty };
}

function merge(results: LintResult[]): LintResult {
  if (results.length === 1) return results[0]!;
  return {
    root: results[0]!.root,
    modules: results.flatMap((r) => r.modules),
    findings: sortFindings(results.flatMap((r) => r.findings)),
    durationMs: results.reduce((a, r) => a + r.durationMs, 0),
    notes: [...new Set(results.flatMap((r) => r.notes))],
  };
}

const conformanceCommand: Command = {
  name: 'conformance',
  summary: "run DMT's public end-to-end cases against modsync lint",
  usage: '<dmt-checkout>',
  description:
    'Lints every case of <dmt-checkout>/test/e2e/testdata/<linter>/<case>/ (a deckhouse/dmt checkout fetched by\n' +
    'whoever runs this) and checks the findings against its expected.yaml. Prints a pass/fail line per case and\n' +
    'the totals; exits 1 when a case fails.',
  options: {
    filter: { type: 'string', description: 'only cases whose <linter>/<case> name contains this', valueName: 'text' },
    verbose: { type: 'boolean', short: 'v', description: 'print the unmet expectations and findings of failing cases' },
  },
  async run(args: ParsedArgs, io: IO) {
    const checkout = args.positionals[0];
    if (!checkout || args.positionals.length > 1) {
      io.stderr.write(
        'modsync lint conformance: expected exactly one argument, the path of a deckhouse/dmt checkout\n',
      );
      return 2;
    }
    const filter = typeof args.values['filter'] === 'string' ? args.values['filter'] : undefined;
    let report;
    try {
      report = await runConformance(resolve(io.cwd, checkout), {
        ...(filter ? { filter } : {}),
        onCase: (r) => {
          io.stdout.write(
            `${r.status.toUpperCase().padEnd(4)} ${r.name}${r.status === 'pass' ? '' : r.status === 'skip' ? ' (skip: true in expected.yaml)' : ''}\n`,
          );
          if (r.status === 'fail' && args.values['verbose'] === true) {
            for (const f of r.failures) io.stdout.write(`       ${f}\n`);
          }
        },
      });
    } catch (err) {
      io.stderr.write(`modsync lint conformance: ${(err as Error).message}\n`);
      return 2;
    }
    const run = report.passed + report.failed;
    const pct = run ? ((100 * report.passed) / run).toFixed(1) : '0.0';
    io.stdout.write(
      `\n${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped (${pct}% of ${run} run cases)\n`,
    );
    return report.failed > 0 ? 1 : 0;
  },
};

export const lintCommand: Command = {
  name: 'lint',
  summary: 'validate module source trees with the rules of Deckhouse Module Tools (DMT)',
  usage: '[dir...]',
  description:
    "Finds the modules under each dir (default: the current directory) and lints them with DMT's linters and\n" +
    'rule IDs. Exits 1 when a finding is an error (with --strict, also a warning). Rules are configured and\n' +
    'excluded per module in .dmtlint.yaml, as with DMT. When DMT_METRICS_URL is set, the results are sent by\n' +
    'Prometheus remote-write (bearer DMT_METRICS_TOKEN; DMT_REPOSITORY and DMT_METRICS_ID override the labels);\n' +
    'a failed send is a warning and never changes the exit code.',
  options: {
    format: {
      type: 'string',
      short: 'f',
      default: 'human',
      description: `output format: ${FORMATS.join(', ')}`,
      valueName: 'format',
    },
    output: {
      type: 'string',
      short: 'o',
      description: 'write the report to a file instead of stdout',
      valueName: 'file',
    },
    strict: { type: 'boolean', description: 'fail on warnings too' },
    fix: {
      type: 'boolean',
      description: 'apply the autofixes rules offer (module.yaml/package.yaml consistency, -crd module names)',
    },
    linter: {
      type: 'string',
      multiple: true,
      description: `run only this linter (repeatable): ${LINTERS.map((l) => l.id).join(', ')}`,
      valueName: 'id',
    },
    'show-ignored': { type: 'boolean', description: 'show findings whose level is ignored (human format)' },
    'hide-warnings': { type: 'boolean', description: 'hide warnings (human format)' },
  },
  subcommands: [conformanceCommand],
  async run(args: ParsedArgs, io: IO) {
    const format = String(args.values['format'] ?? 'human');
    if (!(FORMATS as readonly string[]).includes(format)) {
      io.stderr.write(`modsync lint: unknown --format '${format}' (want ${FORMATS.join(', ')})\n`);
      return 2;
    }
    const linters = (args.values['linter'] as string[] | undefined) ?? undefined;
    const unknown = linters?.filter((l) => !LINTERS.some((x) => x.id === l)) ?? [];
    if (unknown.length) {
      io.stderr.write(
        `modsync lint: unknown linter ${unknown.join(', ')} (want ${LINTERS.map((l) => l.id).join(', ')})\n`,
      );
      return 2;
    }
    const dirs = (args.positionals.length ? args.positionals : ['.']).map((d) => resolve(io.cwd, d));
    for (const dir of dirs) {
      const problem = notADirectory(dir);
      if (problem) {
        io.stderr.write(`modsync lint: ${problem}\n`);
        return 2;
      }
    }
    const { result, empty } = await lintAll(dirs, {
      fix: args.values['fix'] === true,
      env: io.env,
      ...(linters ? { linters } : {}),
    });
    if (empty.length > 0) {
      // Nothing to lint is a wrong path, not a clean result: exit 2 so CI does not pass on a typo.
      io.stderr.write(
        `modsync lint: no modules found under ${empty.join(', ')} (a module has a module.yaml, or a Chart.yaml beside hooks/, images/ or openapi/)\n`,
      );
      return 2;
    }
    let text: string;
    if (format === 'json') text = formatJSON(result);
    else if (format === 'sarif') text = formatSARIF(result, { baseDir: io.cwd, toolVersion: LINT_VERSION });
    else {
      text = formatHuman(result, {
        color: useColor(io) && args.values['output'] === undefined,
        showIgnored: args.values['show-ignored'] === true,
        hideWarnings: args.values['hide-warnings'] === true,
      });
    }
    const output = args.values['output'];
    if (typeof output === 'string') writeFileSync(resolve(io.cwd, output), text);
    else io.stdout.write(text);
    const warning = await sendDmtMetrics(result, {
      env: io.env,
      version: LINT_VERSION,
      settings: LintSettings.load(dirs[0]!, dirs[0]!),
    });
    if (warning) io.stderr.write(`${warning}\n`);
    return hasFailures(result.findings, args.values['strict'] === true) ? 1 : 0;
  },
};
