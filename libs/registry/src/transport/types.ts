// The request pipeline: plain async functions composed once, each layer `(next: Send) => Send`
// (the request-level analogue of undici's `dispatch => (opts, handler) => …` interceptors).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RegistryOp } from '../diagnostics.ts';
import type { RegistrySettings } from '../settings.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST';

export interface RegistryRequest {
  readonly op: RegistryOp;
  readonly settings: RegistrySettings;
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | undefined;
  readonly repository?: string | undefined;
  readonly reference?: string | undefined;
  /** Bearer token scope(s), space-separated: `repository:<repo>:pull`. */
  readonly scope?: string | undefined;
  /** Stream a 2xx body instead of buffering it (blobs). */
  readonly stream?: boolean | undefined;
  /** Limit of a buffered 2xx body. */
  readonly maxBodyBytes: number;
  /** The caller's signal. */
  readonly signal?: AbortSignal | undefined;
  /** `performance.now()` after which no new attempt starts. */
  readonly deadline: number;
  /** Send no credentials (token requests, cross-origin redirects). */
  readonly anonymous?: boolean | undefined;
}

export interface RegistryResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that produced this response (after redirects). */
  readonly url: URL;
  /** The buffered body; empty when streamed. Error bodies are truncated to 64 KiB. */
  readonly body: Buffer;
  /** The body of a streamed 2xx; the per-host slot is released when it closes. */
  readonly stream: Readable | undefined;
  /** Retry-After of a final 429/503, in ms. */
  readonly retryAfterMs?: number | undefined;
}

export type Send = (request: RegistryRequest) => Promise<RegistryResponse>;
export type Layer = (next: Send) => Send;

/** `compose(a, b, c)(send)` = `a(b(c(send)))`: the first layer is the outermost. */
export function compose(...layers: Layer[]): (send: Send) => Send {
  for (const [i, layer] of layers.entries()) {
    if (typeof layer !== 'function') throw new TypeError(`layer ${i} is not a function`);
  }
  return (send) => layers.reduceRight<Send>((next, layer) => layer(next), send);
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
