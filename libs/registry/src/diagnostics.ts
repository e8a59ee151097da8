// The lib does not log: it publishes on node:diagnostics_channel and services subscribe (metrics.ts is one subscriber).
import diagnosticsChannel from 'node:diagnostics_channel';

/** Closed set of operations, used as the `op` field and metric label. */
export type RegistryOp =
  | 'list_tags'
  | 'head_manifest'
  | 'get_manifest'
  | 'put_manifest'
  | 'head_blob'
  | 'get_blob'
  | 'start_upload'
  | 'put_blob'
  | 'token';

export const REGISTRY_CHANNELS = {
  /** One message per HTTP attempt, when its response headers arrive or it fails. */
  request: 'modsync:registry:request',
  /** Before waiting to retry. */
  retry: 'modsync:registry:retry',
  /** Body bytes received or sent. */
  bytes: 'modsync:registry:bytes',
  /** A bearer token fetched (not served from cache). */
  token: 'modsync:registry:token',
  /** A host's or a repository's circuit breaker changed state. */
  circuit: 'modsync:registry:circuit',
} as const;

/** `response` = got a status; the others are transport failures. */
export type RequestOutcome = 'response' | 'network' | 'timeout' | 'tls' | 'aborted';

export interface RegistryRequestMessage {
  /** `host[:port]` of the URL requested. */
  readonly registry: string;
  readonly op: RegistryOp;
  readonly method: string;
  readonly url: string;
  readonly repository: string | undefined;
  readonly attempt: number;
  readonly outcome: RequestOutcome;
  readonly statusCode: number | undefined;
  readonly errorCode: string | undefined;
  readonly durationMs: number;
}

export interface RegistryRetryMessage {
  readonly registry: string;
  readonly op: RegistryOp;
  readonly method: string;
  readonly url: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly statusCode: number | undefined;
  readonly errorCode: string | undefined;
}

export interface RegistryBytesMessage {
  readonly registry: string;
  readonly op: RegistryOp;
  readonly direction: 'in' | 'out';
  readonly bytes: number;
}

export interface RegistryTokenMessage {
  /** The registry the token is for. */
  readonly registry: string;
  readonly realm: string;
  readonly scope: string;
  readonly ok: boolean;
  readonly durationMs: number;
}

export interface RegistryCircuitMessage {
  /** `host[:port]` of the registry. */
  readonly registry: string;
  /** The repository whose own breaker it is; undefined for the host's. */
  readonly repository: string | undefined;
  readonly state: 'closed' | 'open' | 'half-open';
  /** While open: wall-clock ms since the epoch when a probe is let through. */
  readonly until: number | undefined;
  /** The failure that opened it (`HTTP 503`, `ECONNRESET`, …). */
  readonly lastFailure: string | undefined;
}

export const requestChannel = diagnosticsChannel.channel(REGISTRY_CHANNELS.request);
export const retryChannel = diagnosticsChannel.channel(REGISTRY_CHANNELS.retry);
const bytesChannel = diagnosticsChannel.channel(REGISTRY_CHANNELS.bytes);
export const tokenChannel = diagnosticsChannel.channel(REGISTRY_CHANNELS.token);
export const circuitChannel = diagnosticsChannel.channel(REGISTRY_CHANNELS.circuit);

export function publishBytes(registry: string, op: RegistryOp, direction: 'in' | 'out', bytes: number): void {
  if (bytes > 0 && bytesChannel.hasSubscribers) {
    bytesChannel.publish({ registry, op, direction, bytes } satisfies RegistryBytesMessage);
  }
}
