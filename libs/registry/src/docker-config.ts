// Docker config.json (`{"auths":{"<host>":{…}}}`) as DKP reads it (deckhouse go_lib/dependency/cr/cr.go):
// base64-decoded, or taken raw when it is not base64; the entry whose host equals the repo host is used.
// Secrets never reach a message: JSON.parse errors quote their input, so they are not kept as `cause`.
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { z } from 'zod';
import { RegistryBadConfigError, RegistryCredentialsNotFoundError } from './errors.ts';

/** Credentials of one registry host. Serialises (JSON, util.inspect) as `{ kind, redacted: true }`. */
export type RegistryCredentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** OAuth2 refresh token (`identitytoken`): exchanged at the token realm with `grant_type=refresh_token`. */
  | { readonly kind: 'identityToken'; readonly username: string; readonly identityToken: string }
  /** A ready bearer token (`registrytoken`), sent as is. */
  | { readonly kind: 'registryToken'; readonly registryToken: string };

const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const configSchema = z.looseObject({
  auths: z.record(z.string(), z.unknown()).optional(),
});

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 (like Go's `base64.StdEncoding`), or undefined. */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64_RE.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The host part of an `auths` key: `https://host:port/v1/` → `host:port`, `host/path` → `host`, lowercased. */
export function authKeyHost(key: string): string {
  let rest = key.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme !== null) rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  return rest.toLowerCase();
}

function redacted<T extends object>(value: T): Readonly<T> {
  const kind = (value as { kind?: unknown }).kind;
  Object.defineProperty(value, 'toJSON', { value: () => ({ kind, redacted: true }) });
  Object.defineProperty(value, inspect.custom, { value: () => `[RegistryCredentials ${String(kind)} redacted]` });
  return Object.freeze(value);
}

/** A short stable id of credentials (sha256 prefix), used to key token caches; reveals nothing usable. */
export function credentialsId(credentials: RegistryCredentials | undefined): string {
  if (credentials === undefined) return 'anonymous';
  const material =
    credentials.kind === 'basic'
      ? `basic\0${credentials.username}\0${credentials.password}`
      : credentials.kind === 'identityToken'
        ? `identity\0${credentials.username}\0${credentials.identityToken}`
        : `registry\0${credentials.registryToken}`;
  return createHash('sha256').update(material).digest('hex').slice(0, 24);
}

function badConfig(repo: string, what: string): RegistryBadConfigError {
  return new RegistryBadConfigError(`read auth config: ${what}`, { field: 'dockerCfg', registry: repo });
}

/**
 * Credentials for `host` (`host[:port]`, lowercased) from a dockerCfg (base64 of config.json, or the raw JSON).
 * Returns undefined for an entry with no credentials in it (anonymous). Throws RegistryCredentialsNotFoundError when
 * no entry matches, RegistryBadConfigError when the text is neither base64 JSON nor JSON or an entry is malformed.
 */
export function credentialsFromDockerConfig(
  dockerCfg: string,
  host: string,
  repo: string,
): RegistryCredentials | undefined {
  const decoded = decodeBase64Strict(dockerCfg);
  const text = decoded === undefined ? dockerCfg : decoded.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badConfig(
      repo,
      decoded === undefined
        ? 'dockerCfg is neither base64-encoded JSON nor JSON'
        : 'dockerCfg is base64 but its content is not valid JSON',
    );
  }
  const config = configSchema.safeParse(json);
  if (!config.success) throw badConfig(repo, 'dockerCfg must be a JSON object whose "auths" is an object');

  const wanted = host.toLowerCase();
  const key = Object.keys(config.data.auths ?? {}).find((k) => authKeyHost(k) === wanted);
  if (key === undefined) {
    throw new RegistryCredentialsNotFoundError(
      `read auth config: ${JSON.stringify(repo)} credentials not found in the dockerCfg`,
      {
        registry: host,
      },
    );
  }
  const entry = authEntrySchema.safeParse(config.data.auths?.[key]);
  if (!entry.success)
    throw badConfig(repo, `the dockerCfg entry for ${JSON.stringify(wanted)} is not an object of strings`);
  const { auth, username, password, identitytoken, registrytoken } = entry.data;

  if (registrytoken !== undefined && registrytoken !== '') {
    return redacted({ kind: 'registryToken', registryToken: registrytoken });
  }
  let user = username ?? '';
  let pass = password ?? '';
  if (auth !== undefined && auth !== '' && user === '' && pass === '') {
    const raw = decodeBase64Strict(auth)?.toString('utf8');
    const colon = raw?.indexOf(':') ?? -1;
    if (raw === undefined || colon < 0) {
      throw badConfig(
        repo,
        `"auth" of the dockerCfg entry for ${JSON.stringify(wanted)} is not base64 of user:password`,
      );
    }
    user = raw.slice(0, colon);
    pass = raw.slice(colon + 1);
  }
  if (identitytoken !== undefined && identitytoken !== '') {
    return redacted({ kind: 'identityToken', username: user === '' ? '<token>' : user, identityToken: identitytoken });
  }
  if (user === '' && pass === '') return undefined;
  return redacted({ kind: 'basic', username: user, password: pass });
}
