// The innermost pipeline step: one call through undici (its attempts are run by the dispatcher's interceptors).
// Buffers every body except a streamed 2xx; maps transport failures to RegistryUnavailableError /
// RegistryTimeoutError / RegistryTlsError.
import type { Readable } from 'node:stream';
import {
  RegistryError,
  type RegistryErrorFields,
  RegistryResponseTooLargeError,
  RegistryTimeoutError,
  RegistryTlsError,
  RegistryUnavailableError,
} from '../errors.ts';
import { publishBytes, type RequestOutcome } from '../diagnostics.ts';
import type { DispatcherPool } from './dispatchers.ts';
import { AttemptTimeoutError, errorCodeOf, type RegistryCall, type RegistryDispatchOptions } from './interceptors.ts';
import { requestFields } from './response-error.ts';
import { header, type Send } from './types.ts';

const EMPTY = Buffer.alloc(0);

/** Error bodies are read up to this size, the rest dropped. */
const ERROR_BODY_LIMIT = 64 * 1024;

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const TLS_CODE_RE =
  /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH|EPROTO$)/;

export interface AttemptOptions {
  readonly bodyTimeoutMs: number;
  readonly userAgent: string;
  readonly keepAliveAfterHead: boolean;
}

/** Drop a body we will not read; undici reports the destroy as an error event, which nobody needs. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

async function readLimited(body: Readable, limit: number, truncate: boolean, onTooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > limit) {
      if (!truncate) {
        discard(body);
        throw onTooLarge();
      }
      chunks.push(chunk.subarray(0, limit - size));
      size = limit;
      discard(body);
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size);
}

/**
 * A transport failure as a typed error: timeout, TLS, or unavailable (network). `attemptTimeoutMs` is set when our own
 * per-attempt timer fired. Also used for failures in the middle of a streamed body.
 */
export function transportError(
  method: string,
  url: string,
  fields: RegistryErrorFields,
  err: unknown,
  attemptTimeoutMs?: number,
): RegistryTimeoutError | RegistryTlsError | RegistryUnavailableError {
  const code = attemptTimeoutMs !== undefined ? 'MODSYNC_ATTEMPT_TIMEOUT' : errorCodeOf(err);
  const all: RegistryErrorFields = { ...fields, transportCode: code, cause: err };
  const prefix = `${method} ${url}`;
  const message = err instanceof Error ? err.message : String(err);
  if (attemptTimeoutMs !== undefined || (code !== undefined && TIMEOUT_CODES.has(code))) {
    const what = attemptTimeoutMs !== undefined ? `no complete response within ${attemptTimeoutMs} ms` : message;
    return new RegistryTimeoutError(`${prefix}: timeout: ${what}`, all);
  }
  if (code !== undefined && TLS_CODE_RE.test(code)) return new RegistryTlsError(`${prefix}: tls: ${message}`, all);
  return new RegistryUnavailableError(`${prefix}: ${message}`, all);
}

/** The request channel's outcome of a transport failure. */
export function outcomeOf(err: unknown): RequestOutcome {
  const mapped = transportError('', '', {}, err);
  return mapped instanceof RegistryTimeoutError ? 'timeout' : mapped instanceof RegistryTlsError ? 'tls' : 'network';
}

/**
 * One call through the Agent's composed interceptors (retries, per-host limit, per-attempt timer and counting live
 * there: ./interceptors.ts). Buffers every body except a streamed 2xx.
 */
export function createExchange(dispatchers: DispatcherPool, options: AttemptOptions): Send {
  return async (request) => {
    const head = request.method === 'HEAD';
    // Labelled with the registry, not the URL host: redirects to a CDN must not grow the label set.
    const registry = request.settings.host;
    const call: RegistryCall = {
      registry,
      op: request.op,
      method: request.method,
      url: request.url.href,
      repository: request.repository,
      reference: request.reference,
      deadline: request.deadline,
      stream: request.stream === true,
      signal: request.signal,
      attempts: 0,
      delivered: false,
    };
    const dispatchOptions: Omit<RegistryDispatchOptions, 'origin' | 'path' | 'method'> = {
      registryCall: call,
    };
    try {
      const response = await dispatchers.for(request.settings).request({
        ...dispatchOptions,
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers: { 'user-agent': options.userAgent, ...request.headers },
        body: request.body === undefined ? null : request.body,
        signal: request.signal,
        bodyTimeout: options.bodyTimeoutMs,
        ...(head && options.keepAliveAfterHead ? { reset: false } : {}),
      });
      call.delivered = true;
      if (request.body !== undefined)
        publishBytes(registry, request.op, 'out', request.body.byteLength * call.attempts);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      if (head) {
        await response.body.dump();
        return {
          statusCode: response.statusCode,
          headers: response.headers,
          url: request.url,
          body: EMPTY,
          stream: undefined,
        };
      }
      if (ok && request.stream === true) {
        return {
          statusCode: response.statusCode,
          headers: response.headers,
          url: request.url,
          body: EMPTY,
          stream: response.body,
        };
      }
      const limit = ok ? request.maxBodyBytes : ERROR_BODY_LIMIT;
      const tooLarge = () =>
        new RegistryResponseTooLargeError(
          `${request.method} ${request.url.href}: response body larger than ${limit} bytes`,
          { ...requestFields(request), statusCode: response.statusCode },
        );
      const declared = Number(header(response.headers, 'content-length'));
      if (ok && Number.isFinite(declared) && declared > limit) {
        discard(response.body);
        throw tooLarge();
      }
      const body = await readLimited(response.body, limit, !ok, tooLarge);
      publishBytes(registry, request.op, 'in', body.length);
      return { statusCode: response.statusCode, headers: response.headers, url: request.url, body, stream: undefined };
    } catch (err) {
      if (request.signal?.aborted === true) throw request.signal.reason;
      if (err instanceof RegistryError) throw err;
      const timeoutMs = err instanceof AttemptTimeoutError ? err.timeoutMs : undefined;
      throw transportError(request.method, request.url.href, requestFields(request), err, timeoutMs);
    }
  };
}
