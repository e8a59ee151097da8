// Every failure of this lib is a RegistryError subclass with a fixed `name`, a stable `code` and a `retryable` flag.
// Other packages branch on `code` (or `retryable`), never on message text. Messages follow DKP's pullError shape:
//   GET https://host/v2/<repository>/manifests/<ref>: MANIFEST_UNKNOWN: manifest unknown
// and never contain credentials.
// Not `import { STATUS_CODES } from 'node:http'`: an ES module import of node:http evaluates its lazy WebSocket
// getters, which load Node's bundled undici (about 12 MB of resident memory) for nothing.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

const kRegistryError = Symbol.for('modsync.registry.error');

/** The stable codes, one per error class. */
export const RegistryErrorCodes = {
  UNAUTHORIZED: 'MODSYNC_REGISTRY_UNAUTHORIZED',
  DENIED: 'MODSYNC_REGISTRY_DENIED',
  MANIFEST_UNKNOWN: 'MODSYNC_REGISTRY_MANIFEST_UNKNOWN',
  NAME_UNKNOWN: 'MODSYNC_REGISTRY_NAME_UNKNOWN',
  BLOB_UNKNOWN: 'MODSYNC_REGISTRY_BLOB_UNKNOWN',
  RATE_LIMITED: 'MODSYNC_REGISTRY_RATE_LIMITED',
  UNAVAILABLE: 'MODSYNC_REGISTRY_UNAVAILABLE',
  CIRCUIT_OPEN: 'MODSYNC_REGISTRY_CIRCUIT_OPEN',
  TIMEOUT: 'MODSYNC_REGISTRY_TIMEOUT',
  TLS: 'MODSYNC_REGISTRY_TLS',
  UNEXPECTED_STATUS: 'MODSYNC_REGISTRY_UNEXPECTED_STATUS',
  BAD_RESPONSE: 'MODSYNC_REGISTRY_BAD_RESPONSE',
  RESPONSE_TOO_LARGE: 'MODSYNC_REGISTRY_RESPONSE_TOO_LARGE',
  PLATFORM_NOT_FOUND: 'MODSYNC_REGISTRY_PLATFORM_NOT_FOUND',
  DIGEST_MISMATCH: 'MODSYNC_REGISTRY_DIGEST_MISMATCH',
  CREDENTIALS_NOT_FOUND: 'MODSYNC_REGISTRY_CREDENTIALS_NOT_FOUND',
  BAD_CONFIG: 'MODSYNC_REGISTRY_BAD_CONFIG',
  BAD_REFERENCE: 'MODSYNC_REGISTRY_BAD_REFERENCE',
  INVALID_OPTION: 'MODSYNC_REGISTRY_INVALID_OPTION',
  EXTRACT_LIMIT: 'MODSYNC_REGISTRY_EXTRACT_LIMIT',
  UNSAFE_ARCHIVE: 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE',
  BAD_ARCHIVE: 'MODSYNC_REGISTRY_BAD_ARCHIVE',
} as const;

export type RegistryErrorCode = (typeof RegistryErrorCodes)[keyof typeof RegistryErrorCodes];

/** One entry of the OCI distribution error body `{"errors":[{"code","message","detail"}]}`. */
export interface OciErrorEntry {
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

export interface RegistryErrorFields {
  /** Registry host as written in the repo (`host[:port]`). */
  registry?: string;
  /** Repository path relative to the host. */
  repository?: string;
  /** Tag or digest. */
  reference?: string;
  statusCode?: number;
  method?: string;
  url?: string;
  /** The registry's own errors, as it sent them. */
  registryErrors?: readonly OciErrorEntry[];
  /** Code of the underlying transport error (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`, …), when there was one. */
  transportCode?: string;
  cause?: unknown;
}

/** Base of every error thrown by `@modsync/registry`. `instanceof` works across duplicate copies of the package. */
export abstract class RegistryError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[kRegistryError] !== true) {
      return false;
    }
    const code = (this as { code?: string }).code;
    return code === undefined || (value as { code?: unknown }).code === code;
  }

  declare readonly code: RegistryErrorCode;
  /** True when the same call may succeed later without a change of configuration ("down", not "absent"). */
  declare readonly retryable: boolean;
  readonly registry: string | undefined;
  readonly repository: string | undefined;
  readonly reference: string | undefined;
  readonly statusCode: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly registryErrors: readonly OciErrorEntry[];
  readonly transportCode: string | undefined;

  constructor(message: string, fields: RegistryErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    Object.defineProperty(this, kRegistryError, { value: true });
    this.registry = fields.registry;
    this.repository = fields.repository;
    this.reference = fields.reference;
    this.statusCode = fields.statusCode;
    this.method = fields.method;
    this.url = fields.url;
    this.registryErrors = fields.registryErrors ?? [];
    this.transportCode = fields.transportCode;
  }
}

/** 401 after the auth flow ran: credentials missing, wrong or refused by the token service. */
export class RegistryUnauthorizedError extends RegistryError {
  static readonly code = RegistryErrorCodes.UNAUTHORIZED;
  override readonly name = 'RegistryUnauthorizedError';
  override readonly code = RegistryErrorCodes.UNAUTHORIZED;
  override readonly retryable = false;
}

/** 403: authenticated but not allowed. */
export class RegistryDeniedError extends RegistryError {
  static readonly code = RegistryErrorCodes.DENIED;
  override readonly name = 'RegistryDeniedError';
  override readonly code = RegistryErrorCodes.DENIED;
  override readonly retryable = false;
}

/** 404 for a manifest (tag or digest absent). */
export class RegistryManifestUnknownError extends RegistryError {
  static readonly code = RegistryErrorCodes.MANIFEST_UNKNOWN;
  override readonly name = 'RegistryManifestUnknownError';
  override readonly code = RegistryErrorCodes.MANIFEST_UNKNOWN;
  override readonly retryable = false;
}

/** 404 for a repository (`NAME_UNKNOWN`, or a tag list that does not exist). */
export class RegistryNameUnknownError extends RegistryError {
  static readonly code = RegistryErrorCodes.NAME_UNKNOWN;
  override readonly name = 'RegistryNameUnknownError';
  override readonly code = RegistryErrorCodes.NAME_UNKNOWN;
  override readonly retryable = false;
}

/** 404 for a blob. */
export class RegistryBlobUnknownError extends RegistryError {
  static readonly code = RegistryErrorCodes.BLOB_UNKNOWN;
  override readonly name = 'RegistryBlobUnknownError';
  override readonly code = RegistryErrorCodes.BLOB_UNKNOWN;
  override readonly retryable = false;
}

/** 429 that outlived the retries, or whose `Retry-After` exceeds `maxRetryAfterMs`. */
export class RegistryRateLimitedError extends RegistryError {
  static readonly code = RegistryErrorCodes.RATE_LIMITED;
  override readonly name = 'RegistryRateLimitedError';
  override readonly code = RegistryErrorCodes.RATE_LIMITED;
  override readonly retryable = true;
  /** The registry's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, fields: RegistryErrorFields & { retryAfterMs?: number | undefined } = {}) {
    super(message, fields);
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** The registry is down: 5xx, 408, connection refused/reset, DNS failure, or the per-host queue is full. */
export class RegistryUnavailableError extends RegistryError {
  static readonly code = RegistryErrorCodes.UNAVAILABLE;
  override readonly name = 'RegistryUnavailableError';
  override readonly code = RegistryErrorCodes.UNAVAILABLE;
  override readonly retryable = true;
}

/** The host's circuit breaker is open after repeated 429/5xx or transport failures: no request was sent. */
export class RegistryCircuitOpenError extends RegistryError {
  static readonly code = RegistryErrorCodes.CIRCUIT_OPEN;
  override readonly name = 'RegistryCircuitOpenError';
  override readonly code = RegistryErrorCodes.CIRCUIT_OPEN;
  override readonly retryable = true;
  /** Wall-clock time (ms since the epoch) after which one probe request is let through. */
  readonly until: number;
  constructor(message: string, fields: RegistryErrorFields & { until: number }) {
    super(message, fields);
    this.until = fields.until;
  }
}

/** A request attempt or an operation ran out of time. */
export class RegistryTimeoutError extends RegistryError {
  static readonly code = RegistryErrorCodes.TIMEOUT;
  override readonly name = 'RegistryTimeoutError';
  override readonly code = RegistryErrorCodes.TIMEOUT;
  override readonly retryable = true;
}

/** TLS handshake failed (unknown CA, wrong host name, expired certificate, plain HTTP on a TLS port): a configuration problem. */
export class RegistryTlsError extends RegistryError {
  static readonly code = RegistryErrorCodes.TLS;
  override readonly name = 'RegistryTlsError';
  override readonly code = RegistryErrorCodes.TLS;
  override readonly retryable = false;
}

/** Any other 4xx (400 MANIFEST_INVALID on push, 405 UNSUPPORTED, …). */
export class RegistryUnexpectedStatusError extends RegistryError {
  static readonly code = RegistryErrorCodes.UNEXPECTED_STATUS;
  override readonly name = 'RegistryUnexpectedStatusError';
  override readonly code = RegistryErrorCodes.UNEXPECTED_STATUS;
  override readonly retryable = false;
}

/** A 2xx whose content is not what the protocol promises (invalid JSON, unknown manifest schema, missing header). */
export class RegistryBadResponseError extends RegistryError {
  static readonly code = RegistryErrorCodes.BAD_RESPONSE;
  override readonly name = 'RegistryBadResponseError';
  override readonly code = RegistryErrorCodes.BAD_RESPONSE;
  override readonly retryable = false;
}

/** A response body (manifest, tag list, token) larger than its limit, or more tags than `maxTags`. */
export class RegistryResponseTooLargeError extends RegistryError {
  static readonly code = RegistryErrorCodes.RESPONSE_TOO_LARGE;
  override readonly name = 'RegistryResponseTooLargeError';
  override readonly code = RegistryErrorCodes.RESPONSE_TOO_LARGE;
  override readonly retryable = false;
}

/** An image index without the wanted platform (and with more than one image). */
export class RegistryPlatformNotFoundError extends RegistryError {
  static readonly code = RegistryErrorCodes.PLATFORM_NOT_FOUND;
  override readonly name = 'RegistryPlatformNotFoundError';
  override readonly code = RegistryErrorCodes.PLATFORM_NOT_FOUND;
  override readonly retryable = false;
}

/** Content whose sha256 (or size) is not the one asked for. */
export class RegistryDigestMismatchError extends RegistryError {
  static readonly code = RegistryErrorCodes.DIGEST_MISMATCH;
  override readonly name = 'RegistryDigestMismatchError';
  override readonly code = RegistryErrorCodes.DIGEST_MISMATCH;
  override readonly retryable = false;
  readonly expected: string;
  readonly actual: string;
  constructor(message: string, fields: RegistryErrorFields & { expected: string; actual: string }) {
    super(message, fields);
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/** A dockerCfg was given but has no `auths` entry for the repo's host (DKP's own message). */
export class RegistryCredentialsNotFoundError extends RegistryError {
  static readonly code = RegistryErrorCodes.CREDENTIALS_NOT_FOUND;
  override readonly name = 'RegistryCredentialsNotFoundError';
  override readonly code = RegistryErrorCodes.CREDENTIALS_NOT_FOUND;
  override readonly retryable = false;
}

/** Invalid registry settings: repo, scheme, dockerCfg (base64/JSON/auth), CA PEM. */
export class RegistryBadConfigError extends RegistryError {
  static readonly code = RegistryErrorCodes.BAD_CONFIG;
  override readonly name = 'RegistryBadConfigError';
  override readonly code = RegistryErrorCodes.BAD_CONFIG;
  override readonly retryable = false;
  /** The settings field at fault: `repo`, `scheme`, `dockerCfg` or `ca`. */
  readonly field: string;
  constructor(message: string, fields: RegistryErrorFields & { field: string }) {
    super(message, fields);
    this.field = fields.field;
  }
}

/** A repository path, tag or digest that cannot be used in a request. */
export class RegistryBadReferenceError extends RegistryError {
  static readonly code = RegistryErrorCodes.BAD_REFERENCE;
  override readonly name = 'RegistryBadReferenceError';
  override readonly code = RegistryErrorCodes.BAD_REFERENCE;
  override readonly retryable = false;
}

/** A client or extraction option with a bad value, an unknown name, or a retired name (the message names its replacement). */
export class RegistryInvalidOptionError extends RegistryError {
  static readonly code = RegistryErrorCodes.INVALID_OPTION;
  override readonly name = 'RegistryInvalidOptionError';
  override readonly code = RegistryErrorCodes.INVALID_OPTION;
  override readonly retryable = false;
  readonly option: string;
  constructor(message: string, fields: RegistryErrorFields & { option: string }) {
    super(message, fields);
    this.option = fields.option;
  }
}

export type ExtractLimitName = 'maxEntries' | 'maxFileBytes' | 'maxTotalBytes' | 'maxTarBytes' | 'maxLinks';

/** An archive exceeded one of its extraction limits. */
export class RegistryExtractLimitError extends RegistryError {
  static readonly code = RegistryErrorCodes.EXTRACT_LIMIT;
  override readonly name = 'RegistryExtractLimitError';
  override readonly code = RegistryErrorCodes.EXTRACT_LIMIT;
  override readonly retryable = false;
  readonly limit: ExtractLimitName;
  readonly max: number;
  constructor(message: string, fields: RegistryErrorFields & { limit: ExtractLimitName; max: number }) {
    super(message, fields);
    this.limit = fields.limit;
    this.max = fields.max;
  }
}

/** An archive entry that would escape the destination: `..`, absolute path, link outside, write through a symlink. */
export class RegistryUnsafeArchiveError extends RegistryError {
  static readonly code = RegistryErrorCodes.UNSAFE_ARCHIVE;
  override readonly name = 'RegistryUnsafeArchiveError';
  override readonly code = RegistryErrorCodes.UNSAFE_ARCHIVE;
  override readonly retryable = false;
  readonly entryPath: string;
  constructor(message: string, fields: RegistryErrorFields & { entryPath: string }) {
    super(message, fields);
    this.entryPath = fields.entryPath;
  }
}

/** Not a readable tar (bad header checksum, truncated, corrupt compression). */
export class RegistryBadArchiveError extends RegistryError {
  static readonly code = RegistryErrorCodes.BAD_ARCHIVE;
  override readonly name = 'RegistryBadArchiveError';
  override readonly code = RegistryErrorCodes.BAD_ARCHIVE;
  override readonly retryable = false;
}

/**
 * The message of an HTTP failure, in DKP's pullError shape (go-containerregistry's `transport.Error`):
 * `<METHOD> <url>: <CODE>: <message>` per registry error (joined with `; `), or
 * `<METHOD> <url>: unexpected status code <n> <text>` when the body carries none.
 * The OCI `detail` is not printed (DKP's `; map[Tag:…]` suffix); it is kept in `registryErrors`.
 */
export function formatHttpErrorMessage(
  method: string,
  url: string,
  statusCode: number,
  registryErrors: readonly OciErrorEntry[],
): string {
  const prefix = `${method} ${url}`;
  if (registryErrors.length > 0) {
    return `${prefix}: ${registryErrors.map((e) => `${e.code}: ${e.message}`).join('; ')}`;
  }
  const text = STATUS_CODES[statusCode];
  return `${prefix}: unexpected status code ${statusCode}${text === undefined ? '' : ` ${text}`}`;
}
