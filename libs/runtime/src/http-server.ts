import { rename, writeFile } from 'node:fs/promises';
import { fastify, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  registry: Registry;
  /** `/readyz` is 200 while this returns true. */
  isReady: () => boolean;
}

/** The service's HTTP server: `/healthz` (alive), `/readyz` (serving), `/metrics` (Prometheus). Callers add routes. */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = fastify({ logger: false, requestTimeout: 30_000, bodyLimit: 1 << 20 });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (options.isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  return app;
}

/**
 * Writes the port of `address` (a listening server's URL) to `file`, atomically. With MODSYNC_HTTP_PORT=0 each replica
 * binds a free port of its own (several replicas on one host's network); the image's modsync-probe reads it here.
 */
export async function writePortFile(file: string, address: string): Promise<void> {
  await writeFile(`${file}.tmp`, `${new URL(address).port}\n`);
  await rename(`${file}.tmp`, file);
}
