import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SyncQueues } from './queues.ts';
import type { SyncReport } from './sync-source.ts';

/** The syncer's metrics (documented in services/syncer/README.md). */
export class SyncMetrics {
  private readonly syncs: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;
  private readonly modules: Gauge<'source'>;
  private readonly pullErrors: Gauge<'source'>;
  private readonly writes: Counter<'kind'>;
  readonly notificationRequests: Counter<'format' | 'code'>;
  readonly notificationPushes: Counter<'format' | 'outcome'>;
  readonly notificationSyncs: Counter<'format' | 'collapsed'>;
  private readonly workerReplacements: Counter<'queue'>;

  constructor(registry: Registry, queues: SyncQueues) {
    this.syncs = new Counter({
      name: 'modsync_syncs_total',
      help: 'ModuleSource syncs by outcome (Synced, Failed).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'modsync_sync_duration_seconds',
      help: 'Duration of one ModuleSource sync.',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.modules = new Gauge({
      name: 'modsync_source_modules',
      help: 'Modules a ModuleSource offers.',
      labelNames: ['source'],
      registers: [registry],
    });
    this.pullErrors = new Gauge({
      name: 'modsync_source_pull_errors',
      help: 'Modules of a ModuleSource whose channel image could not be read.',
      labelNames: ['source'],
      registers: [registry],
    });
    this.writes = new Counter({
      name: 'modsync_sync_writes_total',
      help: 'Writes made by syncs: status patches and discovery events.',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.notificationRequests = new Counter({
      name: 'modsync_notification_requests_total',
      help: 'Registry notification requests by format and HTTP status answered.',
      labelNames: ['format', 'code'],
      registers: [registry],
    });
    this.notificationPushes = new Counter({
      name: 'modsync_notification_pushes_total',
      help: 'Pushes announced by registry notifications: mapped (to a sync), ignored, unknown_repository.',
      labelNames: ['format', 'outcome'],
      registers: [registry],
    });
    this.notificationSyncs = new Counter({
      name: 'modsync_notification_syncs_total',
      help: 'Syncs asked for by registry notifications; collapsed into queued work or not.',
      labelNames: ['format', 'collapsed'],
      registers: [registry],
    });
    this.workerReplacements = new Counter({
      name: 'modsync_sync_worker_replacements_total',
      help: 'Sync workers replaced because they took no job while jobs of their queue were overdue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'modsync_queue_jobs',
      help: 'Jobs in the sync queues by state.',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const queue of [queues.sync, queues.resync]) {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
        }
      },
    });
  }

  observe(report: SyncReport, seconds: number): void {
    this.syncs.inc({ outcome: report.outcome });
    this.duration.observe({ outcome: report.outcome }, seconds);
    if (report.outcome === 'Synced') {
      this.modules.set({ source: report.source }, report.modules);
      this.pullErrors.set({ source: report.source }, report.pullErrors);
    }
    this.writes.inc({ kind: 'status' }, report.kubernetesWrites);
    if (report.events > 0) this.writes.inc({ kind: 'events' }, report.events);
  }

  workerReplaced(queue: string): void {
    this.workerReplacements.inc({ queue });
  }

  forget(source: string): void {
    this.modules.remove({ source });
    this.pullErrors.remove({ source });
  }
}
