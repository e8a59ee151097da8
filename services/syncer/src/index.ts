export { syncSource, type SyncDependencies, type SyncReport } from './sync-source.ts';
export { SyncStateStore } from './sync-state.ts';
export { ClusterView } from './cluster-view.ts';
export { syncerKeys, resyncJobId, RESYNC_ANNOTATION, LEADER_LABEL } from './keys.ts';
export { nextRunPending } from './schedule-reconciler.ts';
