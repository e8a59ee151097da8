import type { Command } from '../dispatcher.ts';
import { lintCommand } from './lint.ts';
import { testCommand } from './test.ts';

/** Commands that read local files only: `modsync lint` and `modsync test` load nothing else. */
export const LOCAL_COMMANDS: readonly Command[] = [lintCommand, testCommand];

/**
 * All modsync subcommands, in help order. The cluster and Redis commands (resync, module, status, release, events)
 * are imported only when one of them, or the full help, is asked for: their clients (undici, ioredis, zod, …) are
 * most of the bundle, and `modsync lint` in CI should not compile them. Adding a command is a file in this folder
 * exporting a `Command` and one line here or in cluster.ts.
 */
export async function loadCommands(): Promise<readonly Command[]> {
  const { CLUSTER_COMMANDS } = await import('./cluster.ts');
  return [lintCommand, testCommand, ...CLUSTER_COMMANDS];
}
