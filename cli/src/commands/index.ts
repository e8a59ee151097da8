import type { Command } from '../dispatcher.ts';
import { lintCommand } from './lint.ts';
import { moduleCommand } from './module.ts';
import { resyncCommand } from './resync.ts';

/**
 * The modsync subcommands. Adding one is a file in this folder exporting a `Command` and one line here
 * (resync, status, module enable, events tail come this way).
 */
export const COMMANDS: readonly Command[] = [
  lintCommand,
  resyncCommand,
  moduleCommand,
];
