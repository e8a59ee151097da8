// ModuleSource `spec.registry` → validated, frozen settings. Credentials are non-enumerable and redacted when printed.
import { createHash, X509Certificate } from 'node:crypto';
import { credentialsFromDockerConfig, credentialsId, type RegistryCredentials } from './docker-config.ts';
import { RegistryBadConfigError } from './errors.ts';
import { isValidRepository } from './reference.ts';

/** `spec.registry` of a ModuleSource. */
export interface RegistrySettingsInput {
  /** `host[:port]/path`, no scheme, e.g. `registry.example.io/deckhouse/modules`. */
  repo: string;
  /** `HTTP` or `HTTPS` (case-insensitive). @defaultValue `'HTTPS'` */
  scheme?: string | undefined;
  /** Base64 of a docker config.json (raw JSON accepted); empty or absent = anonymous. */
  dockerCfg?: string | undefined;
  /** PEM root CA(s) trusted for this registry only, on top of the system roots. */
  ca?: string | undefined;
}

export interface RegistrySettings {
  /** The repo as given (trimmed, no trailing `/`). */
  readonly repo: string;
  readonly scheme: 'HTTP' | 'HTTPS';
  /** `host[:port]` as written in the repo, lowercased: the registry's name in errors, metrics and the dockerCfg. */
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  /** Path under the host, e.g. `deckhouse/modules`; `''` when the repo is a bare host. */
  readonly pathPrefix: string;
  /** `https://host[:port]` (default port omitted). */
  readonly origin: string;
  /** `<origin>/v2`. */
  readonly baseUrl: string;
  /** PEM of the extra CA, when given (HTTPS only). */
  readonly ca: string | undefined;
  /** sha256 of the CA PEM, or `''`: one connection pool per distinct trust setting. */
  readonly trustKey: string;
  /** Credentials for `host` from the dockerCfg; undefined = anonymous. Not enumerable. */
  readonly credentials: RegistryCredentials | undefined;
  /** Short hash identifying the credentials (token cache key); `anonymous` without. */
  readonly credentialsId: string;
}

function bad(field: string, repo: string, message: string, cause?: unknown): RegistryBadConfigError {
  return new RegistryBadConfigError(message, { field, registry: repo, cause });
}

function validateCa(pem: string, repo: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (blocks === null) throw bad('ca', repo, 'ca: no PEM certificate ("-----BEGIN CERTIFICATE-----") found');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw bad('ca', repo, 'ca: a PEM certificate block cannot be parsed', err);
    }
  }
}

/**
 * Validate `spec.registry` once. Throws RegistryBadConfigError (repo, scheme, dockerCfg, ca) or
 * RegistryCredentialsNotFoundError (`read auth config: "<repo>" credentials not found in the dockerCfg`).
 */
export function parseRegistrySettings(input: RegistrySettingsInput): RegistrySettings {
  const repo = typeof input.repo === 'string' ? input.repo.trim().replace(/\/+$/, '') : '';
  if (repo === '') throw bad('repo', repo, 'repo: must be host[:port]/path');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) {
    throw bad('repo', repo, `repo ${JSON.stringify(repo)}: must not contain a scheme; use the scheme field`);
  }

  const schemeText = (input.scheme ?? 'HTTPS').toUpperCase();
  if (schemeText !== 'HTTP' && schemeText !== 'HTTPS') {
    throw bad('scheme', repo, `scheme ${JSON.stringify(input.scheme)}: must be HTTP or HTTPS`);
  }
  const scheme: 'HTTP' | 'HTTPS' = schemeText;

  const slash = repo.indexOf('/');
  const host = (slash < 0 ? repo : repo.slice(0, slash)).toLowerCase();
  const pathPrefix = slash < 0 ? '' : repo.slice(slash + 1);
  let url: URL;
  try {
    url = new URL(`${scheme === 'HTTPS' ? 'https' : 'http'}://${host}/`);
  } catch (err) {
    throw bad('repo', repo, `repo ${JSON.stringify(repo)}: invalid host ${JSON.stringify(host)}`, err);
  }
  if (url.username !== '' || url.password !== '' || url.host === '' || url.pathname !== '/' || /[?#@]/.test(host)) {
    throw bad('repo', repo, `repo ${JSON.stringify(repo)}: invalid host ${JSON.stringify(host)}`);
  }
  if (pathPrefix !== '' && !isValidRepository(pathPrefix)) {
    throw bad('repo', repo, `repo ${JSON.stringify(repo)}: invalid repository path ${JSON.stringify(pathPrefix)}`);
  }
  const port = url.port === '' ? (scheme === 'HTTPS' ? 443 : 80) : Number(url.port);

  let ca: string | undefined;
  if (input.ca !== undefined && input.ca.trim() !== '' && scheme === 'HTTPS') {
    ca = input.ca.trim();
    validateCa(ca, repo);
  }

  const credentials =
    input.dockerCfg === undefined || input.dockerCfg.trim() === ''
      ? undefined
      : credentialsFromDockerConfig(input.dockerCfg.trim(), host, repo);

  const settings = {
    repo,
    scheme,
    host,
    hostname: url.hostname,
    port,
    pathPrefix,
    origin: url.origin,
    baseUrl: `${url.origin}/v2`,
    ca,
    trustKey: ca === undefined ? '' : createHash('sha256').update(ca).digest('hex'),
    credentialsId: credentialsId(credentials),
  };
  Object.defineProperty(settings, 'credentials', { value: credentials, enumerable: false });
  return Object.freeze(settings) as RegistrySettings;
}

/** `pathPrefix` joined with more path segments: `joinRepository(s, 'module-one', 'release')` → `deckhouse/modules/module-one/release`. */
export function joinRepository(settings: RegistrySettings, ...segments: string[]): string {
  return [settings.pathPrefix, ...segments].filter((s) => s !== '').join('/');
}
