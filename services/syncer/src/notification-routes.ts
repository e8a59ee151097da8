import type { FastifyInstance } from 'fastify';
import { parseRegistrySettings } from '@modsync/registry';
import type { Logger } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';
import type { SyncMetrics } from './metrics.ts';
import {
  isValidSignature,
  isValidToken,
  NOTIFICATION_FORMATS,
  NotificationFormatError,
  parseNotification,
  pushTargets,
  type NotificationFormat,
  type SourceRepository,
} from './notifications.ts';
import type { SyncQueues } from './queues.ts';

interface NotificationSecrets {
  /** Shared token of the registry and Harbor routes (Authorization header). */
  token: string | undefined;
  /** Key of the generic route's HMAC-SHA256 signature (X-Signature header). */
  hmacKey: string | undefined;
}

export interface NotificationRoutesOptions {
  secrets: NotificationSecrets;
  queues: SyncQueues;
  view: ClusterView;
  metrics: SyncMetrics;
  log: Logger;
}

/** The path prefix of every source the view holds; a source whose registry settings are invalid matches nothing. */
function sourceRepositories(view: ClusterView): SourceRepository[] {
  const repositories: SourceRepository[] = [];
  for (const source of view.sources.list()) {
    try {
      repositories.push({
        source: source.metadata.name,
        pathPrefix: parseRegistrySettings(source.spec.registry).pathPrefix,
      });
    } catch {
      // Its own sync reports the bad settings in its status.
    }
  }
  return repositories;
}

/**
 * `POST /notifications/<format>` (docs/operations.md#registry-notifications): authenticates, parses, maps the pushes to
 * module syncs and enqueues them. The body is read raw: the generic format's signature is over its exact bytes.
 */
export async function addNotificationRoutes(app: FastifyInstance, options: NotificationRoutesOptions): Promise<void> {
  const { secrets, metrics } = options;
  await app.register((scope, _options, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    for (const format of NOTIFICATION_FORMATS) {
      scope.post(`/notifications/${format}`, async (req, reply) => {
        const log = options.log.child({ notification: format });
        const answer = async (code: number, body: object) => {
          metrics.notificationRequests.inc({ format, code: String(code) });
          return reply.code(code).send(body);
        };
        const secret = format === 'generic' ? secrets.hmacKey : secrets.token;
        if (!secret) {
          const variable = format === 'generic' ? 'MODSYNC_NOTIFICATION_HMAC_KEY' : 'MODSYNC_NOTIFICATION_TOKEN';
          return answer(404, { error: `${format} notifications are not enabled: set ${variable}` });
        }
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const authorized =
          format === 'generic'
            ? isValidSignature(body, headerOf(req.headers['x-signature']), secret)
            : isValidToken(req.headers.authorization, secret);
        if (!authorized) {
          log.warn({ reason: format === 'generic' ? 'bad signature' : 'bad token' }, 'notification refused');
          return answer(401, {
            error: format === 'generic' ? 'invalid or missing X-Signature' : 'invalid or missing Authorization token',
          });
        }
        let accepted: Awaited<ReturnType<typeof enqueue>>;
        try {
          accepted = await enqueue(options, format, body, log);
        } catch (err) {
          if (!(err instanceof NotificationFormatError)) throw err;
          log.warn({ reason: err.message }, 'notification malformed');
          return answer(400, { error: `malformed ${format} notification: ${err.message}` });
        }
        return answer(202, accepted);
      });
    }
    done();
  });
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function enqueue(options: NotificationRoutesOptions, format: NotificationFormat, body: Buffer, log: Logger) {
  const pushes = parseNotification(format, body);
  log.debug({ pushes: pushes.map((p) => `${p.repository}:${p.tag || p.digest}`) }, 'notification received');
  const mapping = pushTargets(
    pushes,
    sourceRepositories(options.view),
    (source, module) => options.view.moduleContext(source, module).channel,
  );
  const { metrics } = options;
  // A push inside some source's layout that asked for no sync moved nothing the syncer follows.
  const ignored = pushes.length - mapping.mapped - mapping.unknown.length;
  if (mapping.mapped > 0) metrics.notificationPushes.inc({ format, outcome: 'mapped' }, mapping.mapped);
  if (ignored > 0) metrics.notificationPushes.inc({ format, outcome: 'ignored' }, ignored);
  if (mapping.unknown.length > 0) {
    metrics.notificationPushes.inc({ format, outcome: 'unknown_repository' }, mapping.unknown.length);
    log.debug({ repositories: mapping.unknown }, 'pushes to repositories of no ModuleSource ignored');
  }
  const syncs = [];
  for (const target of mapping.targets) {
    const { jobId, collapsed } = await options.queues.requestModuleSync(target.source, target.module, target.digest);
    metrics.notificationSyncs.inc({ format, collapsed: String(collapsed) });
    log.info(
      { source: target.source, module: target.module, channel: target.channel, jobId, collapsed },
      'sync requested by a registry notification',
    );
    syncs.push({ source: target.source, ...(target.module ? { module: target.module } : {}), jobId, collapsed });
  }
  return { pushes: pushes.length, syncs, ignored, unknown: mapping.unknown.length };
}
