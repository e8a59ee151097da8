// Not `import { STATUS_CODES } from 'node:http'`: an ES module import of node:http evaluates its lazy WebSocket
// getters, which load Node's bundled undici (about 12 MB of resident memory) for nothing.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** One entry of an OCI distribution error body (`{"errors":[{code,message,detail}]}`). */
interface RegistryDiagnostic {
  code: string;
  message: string;
  detail?: unknown;
}

/** A failed registry request, as the registry client reports it. */
export interface RegistryErrorInfo {
  method: string;
  url: string;
  statusCode: number;
  /** Parsed `errors[]` of the body, if it had any. */
  errors?: readonly RegistryDiagnostic[] | undefined;
  /** The raw body when it was not an OCI error document. */
  body?: string | undefined;
}

/** Go's `%v` of a JSON value: maps as `map[k:v]` with sorted keys, arrays as `[a b]`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goValue(v)}`).join(' ')}]`;
  }
  return String(value);
}

function diagnostic(d: RegistryDiagnostic): string {
  const text = `${d.code}: ${d.message}`;
  return d.detail === undefined || d.detail === null ? text : `${text}; ${goValue(d.detail)}`;
}

/**
 * A registry error in go-containerregistry's `transport.Error` words, which DKP's messages embed:
 * `GET https://…/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]`. Several diagnostics read
 * `multiple errors returned: a; b`; none: `unexpected status code 404 Not Found[: body]` (HEAD responses have no body,
 * and say so).
 */
export function registryErrorText(error: RegistryErrorInfo): string {
  const prefix = `${error.method} ${error.url}: `;
  const errors = error.errors ?? [];
  const [first] = errors;
  if (errors.length === 1 && first !== undefined) return prefix + diagnostic(first);
  if (errors.length > 1) return `${prefix}multiple errors returned: ${errors.map(diagnostic).join('; ')}`;
  const status = `unexpected status code ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? ''}`.trimEnd();
  if (error.body !== undefined && error.body !== '') return `${prefix}${status}: ${error.body}`;
  if (error.method.toUpperCase() === 'HEAD') {
    return `${prefix}${status} (HEAD responses have no body, use GET for details)`;
  }
  return prefix + status;
}

/**
 * A module's `pullError` (and `error`, §10.3) after fetching `release:<channel>` failed (§10.4):
 * `get image info: fetch image error: <registry error or cause>`, the registry's code and message kept whole.
 */
export function pullErrorText(cause: string | RegistryErrorInfo): string {
  const text = typeof cause === 'string' ? cause : registryErrorText(cause);
  return `get image info: fetch image error: ${text}`;
}
