/** Every Redis key and queue name of the syncer, built in one place from the configured prefix. */
export function syncerKeys(prefix: string) {
  return {
    /**
     * BullMQ prefix (queues live under `{<prefix>:bull}:<queue>:…`). The hash tag puts every key of a queue in one Redis
     * Cluster slot, as BullMQ's scripts need (docs/operations.md#redis).
     */
    bullPrefix: `{${prefix}:bull}`,
    /** Scheduled syncs, one job scheduler per ModuleSource. */
    syncQueue: 'sync',
    /** Manual resyncs: a queue of their own, so they never wait behind scheduled work. */
    resyncQueue: 'resync',
    /** Last seen state of every module of a source (hash: module → JSON). */
    state: (source: string) => `${prefix}:sync-state:${source}`,
    /** Prefix of the locks held while a source is synced (`<prefix>:sync-lock:<source>`): one worker at a time. */
    syncLock: `${prefix}:sync-lock`,
    /** Last handled value of a source's resync annotation and generation (hash). */
    triggers: `${prefix}:sync-triggers`,
    /**
     * Set by the leader once every schedule is in place: gone means Redis lost its data, so they are made again. In the
     * queues' hash slot, so a Cluster failover that rolls the schedules back rolls the marker back with them.
     */
    schedulesMarker: `{${prefix}:bull}:schedules-reconciled`,
    /** Stream prefix for discovery events. */
    events: `${prefix}:events`,
  };
}

export type SyncerKeys = ReturnType<typeof syncerKeys>;

/** The job scheduler of a ModuleSource (style.md: `module-source:<name>`). */
export function schedulerId(source: string): string {
  return `module-source:${source}`;
}

/** The one manual-resync job of a source: while it is queued or running, more requests collapse into it. */
export function resyncJobId(source: string): string {
  // BullMQ refuses ":" in custom job ids.
  return `resync-${source}`;
}

/** The one targeted sync of a module of a source asked for by registry notifications (collapses like a resync). */
export function moduleSyncJobId(source: string, module: string): string {
  return `notify-${source}-${module}`;
}

/** Annotation that requests a resync when its value changes (any value, e.g. a timestamp). */
export const RESYNC_ANNOTATION = 'modsync.io/resync';

/** Label of the leading syncer's pod (`true`), for a Service that selects the leader. */
export const LEADER_LABEL = 'modsync.io/leader';
