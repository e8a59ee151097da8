// The queue dashboard (bull-board), loaded on its first request: bull-board, its fastify plugins and their UI
// templates cost several MB of a replica's memory that most replicas, never visited, do not need.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { fastify, type FastifyInstance } from 'fastify';
import type { SyncQueues } from './queues.ts';

/**
 * A fastify instance (never listening) that serves the dashboard under `basePath`; the service's server hands it
 * the raw requests (`routing`). The UI's files are read from the @bull-board/ui package (found from this module, so
 * from the bundle too).
 */
export async function createDashboard(queues: SyncQueues, basePath: string): Promise<FastifyInstance> {
  const app = fastify({ logger: false, requestTimeout: 30_000, bodyLimit: 1 << 20 });
  const board = new FastifyAdapter();
  board.setBasePath(basePath);
  createBullBoard({
    queues: [new BullMQAdapter(queues.sync), new BullMQAdapter(queues.resync)],
    serverAdapter: board,
    options: { uiBasePath: dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')) },
  });
  await app.register(board.registerPlugin(), { prefix: basePath });
  await app.ready();
  return app;
}
