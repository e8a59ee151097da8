import type { Command } from '../dispatcher.ts';
import { eventsCommand } from './events.ts';
import { moduleCommand } from './module.ts';
import { planCommand } from './plan.ts';
import { releaseCommand } from './release.ts';
import { resyncCommand } from './resync.ts';
import { statusCommand } from './status.ts';

/** The commands that talk to the cluster or Redis (loaded on demand by loadCommands). */
export const CLUSTER_COMMANDS: readonly Command[] = [
  resyncCommand,
  moduleCommand,
  statusCommand,
  planCommand,
  releaseCommand,
  eventsCommand,
];
