import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry with the process metrics (`modsync_process_*`, `modsync_nodejs_*`) and a `service` label on everything. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'modsync_' });
  return registry;
}
