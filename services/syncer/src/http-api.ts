import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { hasCredentials, isAuthorized, isLoopback, type HttpCredentials, type Logger } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';
import type { SyncQueues } from './queues.ts';

/** Where the dashboard is served (its module, ./dashboard.ts, is loaded on the first request). */
const DASHBOARD_PATH = '/dashboard';

export interface SyncerHttpOptions {
  host: string;
  credentials: HttpCredentials;
  queues: SyncQueues;
  view: ClusterView;
  log: Logger;
}

/**
 * Adds the resync API and the queue dashboard to the service's HTTP server. Both need the configured credentials;
 * without any configured, the server must listen on loopback only (it refuses to start otherwise) and they are open
 * there, for a developer's machine.
 */
export async function addSyncerRoutes(app: FastifyInstance, options: SyncerHttpOptions): Promise<void> {
  const guarded = hasCredentials(options.credentials);
  if (!guarded && !isLoopback(options.host)) {
    throw new Error(
      `refusing to serve the dashboard and resync API on ${options.host} without credentials: set MODSYNC_API_TOKEN or MODSYNC_DASHBOARD_USER/MODSYNC_DASHBOARD_PASSWORD`,
    );
  }
  const authorize = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!guarded || isAuthorized(req.headers.authorization, options.credentials)) return;
    options.log.warn({ path: req.url, reason: 'unauthorized' }, 'request refused');
    await reply
      .code(401)
      .header('www-authenticate', 'Basic realm="modsync", charset="UTF-8"')
      .send({ error: 'unauthorized' });
  };

  app.post<{ Params: { name: string } }>('/sources/:name/resync', { preHandler: authorize }, async (req, reply) => {
    const name = req.params.name;
    if (!options.view.sources.get(name)) return reply.code(404).send({ error: `ModuleSource ${name} not found` });
    const { jobId, collapsed } = await options.queues.requestResync(name);
    options.log.info({ source: name, jobId, collapsed }, 'resync requested');
    return reply.code(202).send({ source: name, jobId, collapsed });
  });

  // The dashboard is loaded on its first authorized request and handed the raw request before fastify reads its body.
  let dashboard: Promise<FastifyInstance> | undefined;
  const serveDashboard = async (req: FastifyRequest, reply: FastifyReply) => {
    await authorize(req, reply);
    if (reply.sent) return;
    dashboard ??= import('./dashboard.ts').then(({ createDashboard }) =>
      createDashboard(options.queues, DASHBOARD_PATH),
    );
    let board: FastifyInstance;
    try {
      board = await dashboard;
    } catch (err) {
      dashboard = undefined;
      options.log.error({ err }, 'could not load the dashboard');
      await reply.code(500).send({ error: 'dashboard unavailable' });
      return;
    }
    reply.hijack();
    board.routing(req.raw, reply.raw);
  };
  const methods: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  for (const url of [DASHBOARD_PATH, `${DASHBOARD_PATH}/*`]) {
    app.route({ method: methods, url, onRequest: serveDashboard, handler: async () => undefined });
  }
}
