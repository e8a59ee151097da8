#!/usr/bin/env node
import { loadCommands, LOCAL_COMMANDS } from './commands/index.ts';
import { dispatch } from './dispatcher.ts';
import type { IO } from './dispatcher.ts';

/** Runs the modsync CLI over argv with the given IO; returns the exit code. */
export async function main(argv: readonly string[], io: IO): Promise<number> {
  const local = LOCAL_COMMANDS.some((c) => c.name === argv[0]);
  return dispatch('modsync', local ? LOCAL_COMMANDS : await loadCommands(), argv, io);
}

/**
 * Runs the CLI on this process's streams; sets the exit code (70 for an unexpected failure). The package's bin
 * (cli/bin/modsync.js) imports it from the bundle or from this file, by a path knip cannot follow.
 * @public
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  const io: IO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  try {
    process.exitCode = await main(argv, io);
  } catch (err) {
    process.stderr.write(`modsync: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  }
}

if (import.meta.main) await runCli(process.argv.slice(2));
