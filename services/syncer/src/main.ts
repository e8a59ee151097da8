#!/usr/bin/env node
// The syncer service: configuration from the environment (see services/syncer/README.md).
import { createLogger, handleShutdown } from '@modsync/runtime';
import { loadSyncerConfig } from './config.ts';
import { startSyncer } from './syncer.ts';

const log = createLogger({ service: 'syncer', level: process.env.MODSYNC_LOG_LEVEL ?? 'info' });
try {
  const syncer = await startSyncer(loadSyncerConfig(), log);
  handleShutdown(log, [{ name: 'syncer', close: () => syncer.stop() }]);
} catch (err) {
  log.fatal({ err }, 'syncer failed to start');
  process.exit(1);
}
