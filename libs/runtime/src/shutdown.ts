import type { Logger } from 'pino';
import { withTimeout } from './timeout.ts';

/**
 * On SIGTERM/SIGINT runs every closer in order (each bounded by `timeoutMs`, all run even if one fails), then exits.
 * A second signal exits at once.
 */
export function handleShutdown(
  logger: Logger,
  closers: { name: string; close: () => Promise<unknown> }[],
  timeoutMs = 25_000,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let code = 0;
    for (const closer of closers) {
      try {
        await withTimeout(
          closer.close(),
          timeoutMs,
          () => new Error(`${closer.name} did not close within ${timeoutMs} ms`),
        );
      } catch (err) {
        code = 1;
        logger.error({ err, part: closer.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
