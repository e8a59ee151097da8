#!/usr/bin/env node
// The applier service: configuration from the environment (see services/applier/README.md).
import { createLogger, handleShutdown } from '@modsync/runtime';
import { startApplier } from './applier.ts';
import { loadApplierConfig } from './config.ts';

const log = createLogger({ service: 'applier', level: process.env.MODSYNC_LOG_LEVEL ?? 'info' });
try {
  const applier = await startApplier(loadApplierConfig(), log);
  handleShutdown(log, [{ name: 'applier', close: () => applier.stop() }]);
} catch (err) {
  log.fatal({ err }, 'applier failed to start');
  process.exit(1);
}
