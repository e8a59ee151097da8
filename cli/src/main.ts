#!/usr/bin/env node
import { loadCommands, LOCAL_COMMANDS } from './commands/index.ts';
import { dispatch } from './dispatcher.ts';
import type { IO } from './dispatcher.ts';

/** Runs the modsync CLI over argv with the given IO; returns the exit code. */
export async function main(argv: readonly string[], io: IO): Promise<number> {
  const local = LOCAL_COMMANDS.some((c) => c.name === argv[0]);
  return dispatch('modsync', local ? LOCAL_COMMANDS : await loadCommands(), argv, io);
}

export { loadCommands, LOCAL_COMMANDS } from './commands/index.ts';
export { dispatch, helpText } from './dispatcher.ts';
export type { Command, IO, OptionSpec, ParsedArgs } from './dispatcher.ts';

if (import.meta.main) {
  const io: IO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`modsync: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
