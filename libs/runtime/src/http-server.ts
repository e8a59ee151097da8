import { rename, writeFile } from 'node:fs/promises';
import { fastify, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from './log.ts';

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

export interface ListenOptions {
  host: string;
  /** 0: a free port. */
  port: number;
  /**
   * Where to write the bound port, atomically (MODSYNC_HTTP_PORT_FILE): with port 0 each replica binds a free port of
   * its own (several replicas on one host's network), and the image's modsync-probe reads it there.
   */
  portFile?: string | undefined;
}

/** Starts the service's HTTP server, writes its port file if asked, logs `listening`; resolves the server's URL. */
export async function listenHttp(app: FastifyInstance, options: ListenOptions, log: Logger): Promise<string> {
  const address = await app.listen({ host: options.host, port: options.port });
  if (options.portFile) {
    await writeFile(`${options.portFile}.tmp`, `${new URL(address).port}\n`);
    await rename(`${options.portFile}.tmp`, options.portFile);
  }
  log.info({ url: address }, 'listening');
  return address;
}
