import type { Command } from '../dispatcher.ts';
import { eventsCommand } from './events.ts';
import { lintCommand } from './lint.ts';
import { moduleCommand } from './module.ts';
import { releaseCommand } from './release.ts';
import { resyncCommand } from './resync.ts';
import { statusCommand } from './status.ts';
import { testCommand } from './test.ts';

/**
 * The modsync subcommands. Adding one is a file in this folder exporting a `Command` and one line here
 * (resync, status, module enable, events tail come this way).
 */
export const COMMANDS: readonly Command[] = [
  lintCommand,
  testCommand,
  resyncCommand,
  moduleCommand,
  statusCommand,
  releaseCommand,
  eventsCommand,
];
