import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ClusterView } from './cluster-view.ts';
import type { WriteRecord } from './writer.ts';

/** The applier's metrics (documented in services/applier/README.md). */
export class ApplierMetrics {
  private readonly duration: Histogram<'outcome'>;
  private readonly errors: Counter<'code'>;
  private readonly writes: Counter<'kind' | 'verb'>;
  private readonly events: Counter<'type'>;
  private readonly resyncs: Counter;

  constructor(registry: Registry, view: ClusterView) {
    this.duration = new Histogram({
      name: 'modsync_applier_reconcile_duration_seconds',
      help: 'Duration of one module reconcile.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'modsync_applier_reconcile_errors_total',
      help: 'Failed module reconciles by error code.',
      labelNames: ['code'],
      registers: [registry],
    });
    this.writes = new Counter({
      name: 'modsync_applier_writes_total',
      help: 'Writes to the API server by kind and verb (an idle cluster makes none).',
      labelNames: ['kind', 'verb'],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'modsync_applier_events_total',
      help: 'Discovery events handled, by type.',
      labelNames: ['type'],
      registers: [registry],
    });
    this.resyncs = new Counter({
      name: 'modsync_applier_resyncs_total',
      help: 'Full resyncs started (every module reconciled from the cluster state).',
      registers: [registry],
    });
    new Gauge({
      name: 'modsync_releases',
      help: 'ModuleReleases by phase (Pending counts releases nobody has processed yet).',
      labelNames: ['phase'],
      registers: [registry],
      collect() {
        const counts: Record<string, number> = {
          Pending: 0,
          Deployed: 0,
          Superseded: 0,
          Skipped: 0,
          Suspended: 0,
          Terminating: 0,
        };
        for (const release of view.releases.list()) {
          const phase = release.status?.phase || 'Pending';
          counts[phase] = (counts[phase] ?? 0) + 1;
        }
        for (const [phase, count] of Object.entries(counts)) this.set({ phase }, count);
      },
    });
    new Gauge({
      name: 'modsync_pending_releases',
      help: 'ModuleReleases waiting (phase Pending): for approval, a window, a requirement or an earlier release.',
      registers: [registry],
      collect() {
        this.set(view.releases.list().filter((r) => (r.status?.phase || 'Pending') === 'Pending').length);
      },
    });
  }

  reconciled(outcome: 'Reconciled' | 'Failed', seconds: number): void {
    this.duration.observe({ outcome }, seconds);
  }

  failed(code: string): void {
    this.errors.inc({ code });
  }

  wrote(record: WriteRecord): void {
    this.writes.inc({ kind: record.kind, verb: record.verb });
  }

  event(type: string): void {
    this.events.inc({ type });
  }

  resync(): void {
    this.resyncs.inc();
  }
}
