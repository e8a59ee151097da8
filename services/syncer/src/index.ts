export { syncSource, type SyncDependencies, type SyncReport } from './sync-source.ts';
export { SyncStateStore, type SourceState } from './sync-state.ts';
export { ClusterView } from './cluster-view.ts';
export { moduleContext, type ModuleContext, type ModuleContextInput } from './module-context.ts';
export { discoveryEvents } from './discovery-events.ts';
export { syncerKeys, schedulerId, resyncJobId, RESYNC_ANNOTATION, LEADER_LABEL, type SyncerKeys } from './keys.ts';
export { loadSyncerConfig, type SyncerConfig } from './config.ts';
export { nextRunPending } from './schedule-reconciler.ts';
