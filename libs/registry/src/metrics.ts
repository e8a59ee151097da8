// prom-client collectors fed from the diagnostics channels. A service creates them once and registers them:
//   const m = createRegistryMetrics({ register }); … m.close();
// Labels are bounded: `registry` is the configured host (never a redirect target), `op` a closed set, `status` an
// HTTP status or a transport outcome (`network`, `timeout`, `tls`, `aborted`).
import diagnosticsChannel from 'node:diagnostics_channel';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  REGISTRY_CHANNELS,
  type RegistryBytesMessage,
  type RegistryCircuitMessage,
  type RegistryRequestMessage,
  type RegistryRetryMessage,
} from './diagnostics.ts';

export interface RegistryMetricsOptions {
  /** Registry to register the collectors on; none = unregistered (call `register.registerMetric` yourself). */
  register?: Registry | undefined;
  /** @defaultValue `'modsync_registry_'` */
  prefix?: string | undefined;
  /** Latency buckets in seconds. @defaultValue `[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]` */
  buckets?: number[] | undefined;
}

export interface RegistryMetrics {
  /** `<prefix>requests_total{registry, op, status}`: one per HTTP attempt. */
  readonly requests: Counter<'registry' | 'op' | 'status'>;
  /** `<prefix>retries_total{registry, op}`. */
  readonly retries: Counter<'registry' | 'op'>;
  /** `<prefix>bytes_total{registry, op, direction}`: body bytes received (`in`) and sent (`out`). */
  readonly bytes: Counter<'registry' | 'op' | 'direction'>;
  /** `<prefix>request_duration_seconds{registry, op}`: time to response headers (or failure) of each attempt. */
  readonly duration: Histogram<'registry' | 'op'>;
  /** `<prefix>circuit_open{registry}`: 1 while the host's circuit breaker holds its requests back (open or probing). */
  readonly circuitOpen: Gauge<'registry'>;
  /** `<prefix>repositories_paused{registry}`: repositories of the host whose own breaker holds their requests back. */
  readonly repositoriesPaused: Gauge<'registry'>;
  /** `<prefix>circuit_openings_total{registry, scope}`: `scope` is `host` or `repository`. */
  readonly circuitOpenings: Counter<'registry' | 'scope'>;
  /** Stop listening on the channels. */
  close(): void;
}

export function createRegistryMetrics(options: RegistryMetricsOptions = {}): RegistryMetrics {
  const prefix = options.prefix ?? 'modsync_registry_';
  const registers = options.register === undefined ? [] : [options.register];
  const requests = new Counter({
    name: `${prefix}requests_total`,
    help: 'Registry HTTP attempts by registry host, operation and status (HTTP status or transport outcome).',
    labelNames: ['registry', 'op', 'status'] as const,
    registers,
  });
  const retries = new Counter({
    name: `${prefix}retries_total`,
    help: 'Registry requests retried, by registry host and operation.',
    labelNames: ['registry', 'op'] as const,
    registers,
  });
  const bytes = new Counter({
    name: `${prefix}bytes_total`,
    help: 'Registry body bytes by registry host, operation and direction.',
    labelNames: ['registry', 'op', 'direction'] as const,
    registers,
  });
  const duration = new Histogram({
    name: `${prefix}request_duration_seconds`,
    help: 'Registry request latency to response headers, by registry host and operation.',
    labelNames: ['registry', 'op'] as const,
    buckets: options.buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const circuitOpen = new Gauge({
    name: `${prefix}circuit_open`,
    help: 'Whether the registry host circuit breaker holds requests back (1: open or half-open, 0: closed).',
    labelNames: ['registry'] as const,
    registers,
  });
  const repositoriesPaused = new Gauge({
    name: `${prefix}repositories_paused`,
    help: 'Repositories of the registry host whose own circuit breaker holds their requests back (open or half-open).',
    labelNames: ['registry'] as const,
    registers,
  });
  const circuitOpenings = new Counter({
    name: `${prefix}circuit_openings_total`,
    help: 'Times a circuit breaker opened after repeated 429/5xx or transport failures, by host and scope (host, repository).',
    labelNames: ['registry', 'scope'] as const,
    registers,
  });
  /** Per host: its repositories whose breaker is not closed. */
  const paused = new Map<string, Set<string>>();

  const onRequest = (message: unknown) => {
    const m = message as RegistryRequestMessage;
    const status = m.outcome === 'response' ? String(m.statusCode) : m.outcome;
    requests.inc({ registry: m.registry, op: m.op, status });
    duration.observe({ registry: m.registry, op: m.op }, m.durationMs / 1000);
  };
  const onRetry = (message: unknown) => {
    const m = message as RegistryRetryMessage;
    retries.inc({ registry: m.registry, op: m.op });
  };
  const onBytes = (message: unknown) => {
    const m = message as RegistryBytesMessage;
    bytes.inc({ registry: m.registry, op: m.op, direction: m.direction }, m.bytes);
  };
  const onCircuit = (message: unknown) => {
    const m = message as RegistryCircuitMessage;
    if (m.state === 'open') circuitOpenings.inc({ registry: m.registry, scope: m.repository ? 'repository' : 'host' });
    if (m.repository === undefined) {
      circuitOpen.set({ registry: m.registry }, m.state === 'closed' ? 0 : 1);
      return;
    }
    const repositories = paused.get(m.registry) ?? new Set<string>();
    if (m.state === 'closed') repositories.delete(m.repository);
    else repositories.add(m.repository);
    if (repositories.size === 0) paused.delete(m.registry);
    else paused.set(m.registry, repositories);
    repositoriesPaused.set({ registry: m.registry }, repositories.size);
  };
  diagnosticsChannel.subscribe(REGISTRY_CHANNELS.request, onRequest);
  diagnosticsChannel.subscribe(REGISTRY_CHANNELS.circuit, onCircuit);
  diagnosticsChannel.subscribe(REGISTRY_CHANNELS.retry, onRetry);
  diagnosticsChannel.subscribe(REGISTRY_CHANNELS.bytes, onBytes);
  return {
    requests,
    retries,
    bytes,
    duration,
    circuitOpen,
    repositoriesPaused,
    circuitOpenings,
    close() {
      diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.circuit, onCircuit);
      diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.request, onRequest);
      diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.retry, onRetry);
      diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.bytes, onBytes);
    },
  };
}
