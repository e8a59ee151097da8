export { startApplier, type RunningApplier } from './applier.ts';
export { loadApplierConfig } from './config.ts';
