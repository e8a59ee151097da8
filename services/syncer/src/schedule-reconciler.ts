import type { ModuleConfig, ModuleSource, ModuleUpdatePolicy } from '@modsync/k8s';
import type { Logger, RedisClient } from '@modsync/runtime';
import type { ClusterView } from './cluster-view.ts';
import { RESYNC_ANNOTATION, schedulerId, type SyncerKeys } from './keys.ts';
import { intervalOf, offsetOf, type SyncQueues } from './queues.ts';
import { sourcesAfterConfigChange, sourcesAfterPolicyChange } from './resync-triggers.ts';
import { DELETION_RECHECK_MS } from './source-deletion.ts';
import type { SyncStateStore } from './sync-state.ts';

/**
 * Keeps one BullMQ job scheduler per ModuleSource (run by the leader only): upserted when a source appears or its
 * interval changes (every few seconds while it is being deleted), removed with the source. A new generation (spec
 * change), a new value of the resync annotation or the start of its deletion asks for an immediate run, once: the last
 * handled values are kept in Redis, so a new leader does not repeat them.
 */
export class ScheduleReconciler {
  private readonly queues: SyncQueues;
  private readonly view: ClusterView;
  private readonly redis: RedisClient;
  private readonly keys: SyncerKeys;
  private readonly store: SyncStateStore;
  private readonly defaultIntervalMs: number;
  private readonly log: Logger;
  private pending = Promise.resolve();
  private readonly markerCheckMs: number;

  constructor(init: {
    queues: SyncQueues;
    view: ClusterView;
    redis: RedisClient;
    keys: SyncerKeys;
    store: SyncStateStore;
    defaultIntervalMs: number;
    log: Logger;
    markerCheckMs?: number;
  }) {
    this.markerCheckMs = init.markerCheckMs ?? 5_000;
    this.queues = init.queues;
    this.view = init.view;
    this.redis = init.redis;
    this.keys = init.keys;
    this.store = init.store;
    this.defaultIntervalMs = init.defaultIntervalMs;
    this.log = init.log;
  }

  /** Reconciles every source, then follows the view's changes until `signal` aborts (leadership lost). */
  async run(signal: AbortSignal): Promise<void> {
    const enqueue = (fn: () => Promise<void>) => {
      this.pending = this.pending
        .then(fn)
        .catch((err: unknown) => this.log.error({ err }, 'schedule reconcile failed'));
    };
    const handlers = {
      onUpsert: (source: ModuleSource) => {
        if (!signal.aborted) enqueue(() => this.reconcile(source));
      },
      onDelete: (source: ModuleSource) => {
        if (!signal.aborted) enqueue(() => this.remove(source.metadata.name));
      },
    };
    // A module's source, policy or enablement changed: the sources offering it sync now, not at their next interval.
    const resyncAll = (names: string[], reason: string) => {
      for (const name of names) {
        enqueue(async () => {
          await this.queues.requestResync(name);
          this.log.info({ source: name, reason }, 'resync requested');
        });
      }
    };
    const configHandlers = {
      onUpsert: (config: ModuleConfig, previous: ModuleConfig | undefined) => {
        if (!signal.aborted && previous)
          resyncAll(
            sourcesAfterConfigChange(previous, config, this.view.sources.list()),
            `module config ${config.metadata.name} changed`,
          );
      },
      onDelete: (config: ModuleConfig) => {
        if (!signal.aborted)
          resyncAll(
            sourcesAfterConfigChange(config, undefined, this.view.sources.list()),
            `module config ${config.metadata.name} deleted`,
          );
      },
    };
    const policyHandlers = {
      onUpsert: (policy: ModuleUpdatePolicy, previous: ModuleUpdatePolicy | undefined) => {
        if (!signal.aborted && previous)
          resyncAll(
            sourcesAfterPolicyChange(previous, policy, this.view.configs.list(), this.view.sources.list()),
            `update policy ${policy.metadata.name} changed`,
          );
      },
    };
    this.view.sources.on(handlers);
    this.view.configs.on(configHandlers);
    this.view.policies.on(policyHandlers);
    await this.reconcileAll();
    // Level-triggered, every few seconds: Redis restarted empty, or failed over to a replica that had not received
    // everything. The schedules (and the handled triggers) gone with the marker: every source is reconciled again, so
    // each is synced once more. A schedule still there whose next run was lost (the write that queued it was not
    // replicated): that source is scheduled again.
    let checking = false;
    const markerTimer = setInterval(() => {
      if (checking || signal.aborted) return;
      checking = true;
      void this.redis
        .exists(this.keys.schedulesMarker)
        .then((present) => {
          if (signal.aborted) return;
          if (!present) {
            this.log.warn('sync schedules missing from Redis (emptied or failed over): scheduling every source again');
            enqueue(() => this.reconcileAll());
          } else {
            enqueue(() => this.restartStalledSchedules());
          }
          return this.pending;
        })
        .catch((err: unknown) => this.log.debug({ err }, 'schedule check failed; next time'))
        .finally(() => {
          checking = false;
        });
    }, this.markerCheckMs);
    markerTimer.unref();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(markerTimer);
    this.view.sources.off(handlers);
    this.view.configs.off(configHandlers);
    this.view.policies.off(policyHandlers);
    await this.pending;
  }

  /** Upserts every source's scheduler and removes schedulers of sources that no longer exist. */
  async reconcileAll(): Promise<void> {
    const sources = this.view.sources.list();
    for (const source of sources) await this.reconcile(source);
    const wanted = new Set(sources.map((s) => schedulerId(s.metadata.name)));
    for (const scheduler of await this.queues.sync.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      if (!wanted.has(id)) await this.remove(id.replace(/^module-source:/, ''));
    }
    await this.redis.set(this.keys.schedulesMarker, new Date().toISOString());
  }

  /** Schedules again every source whose job scheduler has no next run waiting (see nextRunPending). */
  async restartStalledSchedules(): Promise<void> {
    for (const scheduler of await this.queues.sync.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      const name = id.replace(/^module-source:/, '');
      const source = this.view.sources.get(name);
      if (!source || scheduler.next === undefined) continue;
      // The scheduler's next run is the job `repeat:<scheduler id>:<next>` (BullMQ's job scheduler ids).
      const state = await this.queues.sync.getJobState(`repeat:${id}:${scheduler.next}`);
      if (nextRunPending(state)) continue;
      this.log.warn(
        { source: name, nextRun: new Date(scheduler.next).toISOString(), state },
        'next sync of the schedule lost (Redis failover?): scheduling again',
      );
      await this.reconcile(source, { reschedule: true });
    }
  }

  /** `reschedule`: upsert the job scheduler even when its settings are unchanged (it makes the next run again). */
  async reconcile(source: ModuleSource, options: { reschedule?: boolean } = {}): Promise<void> {
    const name = source.metadata.name;
    const deleting = source.metadata.deletionTimestamp !== undefined;
    // A source being deleted is looked at every few seconds until it may go (dkp-contract.md §1 "Deletion").
    const every = deleting ? DELETION_RECHECK_MS : intervalOf(source.spec.scanInterval, this.defaultIntervalMs);
    const offset = deleting ? 0 : offsetOf(name, every);
    const id = schedulerId(name);
    const current = await this.queues.sync.getJobScheduler(id);
    if (options.reschedule || !current || current.every !== every || (current.offset ?? 0) !== offset) {
      await this.queues.sync.upsertJobScheduler(id, { every, offset }, { name: 'sync', data: { source: name } });
      this.log.info({ source: name, everyMs: every, offsetMs: offset }, 'sync scheduled');
    }
    // A spec change or a resync annotation: sync now (once per value).
    const trigger = `${source.metadata.generation ?? 0}|${source.metadata.annotations?.[RESYNC_ANNOTATION] ?? ''}${deleting ? '|deleting' : ''}`;
    const handled = await this.redis.hget(this.keys.triggers, name);
    if (handled !== trigger) {
      await this.queues.requestResync(name);
      await this.redis.hset(this.keys.triggers, name, trigger);
      if (handled !== null)
        this.log.info({ source: name, reason: 'spec or resync annotation changed' }, 'resync requested');
    }
  }

  async remove(name: string): Promise<void> {
    await this.queues.sync.removeJobScheduler(schedulerId(name));
    await this.redis.hdel(this.keys.triggers, name);
    await this.store.delete(name);
    this.log.info({ source: name }, 'sync unscheduled');
  }
}

/**
 * True when a job scheduler's next run, in `state`, will still run: waiting for its time or a worker, or running. A
 * finished, failed or missing next run means nothing will queue the one after it (BullMQ adds it when a run starts).
 */
export function nextRunPending(state: string): boolean {
  return (
    state === 'delayed' ||
    state === 'waiting' ||
    state === 'prioritized' ||
    state === 'active' ||
    state === 'waiting-children'
  );
}
