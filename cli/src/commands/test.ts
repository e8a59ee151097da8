import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { discoverModules, testConversions } from '@modsync/lint';
import type { Finding } from '@modsync/lint';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';

/** The folder to test from the command's one optional argument, or the usage problem. */
function targetDir(args: ParsedArgs, io: IO, command: string): string | { problem: string } {
  if (args.positionals.length > 1)
    return { problem: `modsync ${command}: expected at most one argument, the module path` };
  const dir = resolve(io.cwd, args.positionals[0] ?? '.');
  try {
    if (!statSync(dir).isDirectory()) return { problem: `modsync ${command}: ${dir} is not a directory` };
  } catch {
    return { problem: `modsync ${command}: ${dir} does not exist` };
  }
  return dir;
}

function printFailure(io: IO, f: Finding): void {
  io.stdout.write(
    `[${f.object ? `${f.object} ` : ''}(#conversions)]\n  Message: ${f.message}\n  Module:  ${f.module}\n`,
  );
}

const conversionsCommand: Command = {
  name: 'conversions',
  summary: "run the modules' conversion test cases (DMT's `dmt test conversions`)",
  usage: '[module-path]',
  description:
    'For each module under module-path (default: the current directory) with openapi/conversions/, checks that\n' +
    "the latest conversion's version is config-values.yaml's x-config-version and runs every case of\n" +
    'openapi/conversions/testcases.yaml through the jq conversions from its currentVersion to its expectedVersion,\n' +
    'comparing the result with its expected settings. Exits 1 when a case fails.',
  async run(args: ParsedArgs, io: IO) {
    const dir = targetDir(args, io, 'test conversions');
    if (typeof dir !== 'string') {
      io.stderr.write(`${dir.problem}\n`);
      return 2;
    }
    const modules = discoverModules(dir);
    let failed = 0;
    for (const path of modules) {
      const findings = await testConversions(path);
      for (const f of findings) printFailure(io, f);
      failed += findings.length;
    }
    io.stdout.write(
      failed === 0
        ? `conversions: ${modules.length} module(s) tested, no failures\n`
        : `conversions: ${failed} failure(s)\n`,
    );
    return failed > 0 ? 1 : 0;
  },
};

export const testCommand: Command = {
  name: 'test',
  summary: 'test module components (conversions), as `dmt test`',
  subcommands: [conversionsCommand],
};
