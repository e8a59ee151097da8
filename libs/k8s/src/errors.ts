/** Reasons the API server gives in a Status object (metav1.StatusReason), plus the client's own. */
export type KubeErrorReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'Forbidden'
  | 'Unauthorized'
  | 'Gone'
  | 'Expired'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'Timeout'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Unavailable'
  | 'Unknown';

const REASON_BY_STATUS: Record<number, KubeErrorReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * A failed Kubernetes API call. `message` is the API server's own (Status.message), prefixed with the verb and path,
 * so it can be carried to an object's status as is. `code` is stable: MODSYNC_K8S_<REASON>.
 */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly code: string;
  readonly reason: KubeErrorReason;
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  /** The API server's message alone. */
  readonly serverMessage: string;
  /** 5xx, 429, timeouts and connection failures: worth another try. */
  readonly retryable: boolean;
  /** The server's `Retry-After` (429/503), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    method: string;
    path: string;
    statusCode: number;
    reason?: string | undefined;
    message: string;
    cause?: unknown;
    retryAfterMs?: number | undefined;
  }) {
    super(`${init.method} ${init.path}: ${init.message}`, { cause: init.cause });
    this.method = init.method;
    this.path = init.path;
    this.statusCode = init.statusCode;
    this.serverMessage = init.message;
    this.reason =
      (init.reason as KubeErrorReason | undefined) ??
      REASON_BY_STATUS[init.statusCode] ??
      (init.statusCode === 0 ? 'Unavailable' : 'Unknown');
    this.code = `MODSYNC_K8S_${this.reason.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
    this.retryable = init.statusCode === 0 || init.statusCode === 429 || init.statusCode >= 500;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.reason === 'NotFound';
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && (err.reason === 'Conflict' || err.reason === 'AlreadyExists');
}
