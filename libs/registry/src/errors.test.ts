import { describe, expect, it } from 'vitest';
import * as errors from './errors.ts';
import {
  formatHttpErrorMessage,
  RegistryError,
  RegistryErrorCodes,
  RegistryManifestUnknownError,
  RegistryUnavailableError,
} from './errors.ts';
import { parseOciErrors } from './transport/response-error.ts';

type AnyErrorClass = new (message: string, fields: never) => RegistryError;
const extra = {
  expected: 'e',
  actual: 'a',
  field: 'repo',
  option: 'o',
  limit: 'maxEntries',
  max: 1,
  entryPath: 'p',
} as never;

describe('error classes', () => {
  it.each([
    ['RegistryUnauthorizedError', 'MODSYNC_REGISTRY_UNAUTHORIZED', false],
    ['RegistryDeniedError', 'MODSYNC_REGISTRY_DENIED', false],
    ['RegistryManifestUnknownError', 'MODSYNC_REGISTRY_MANIFEST_UNKNOWN', false],
    ['RegistryNameUnknownError', 'MODSYNC_REGISTRY_NAME_UNKNOWN', false],
    ['RegistryBlobUnknownError', 'MODSYNC_REGISTRY_BLOB_UNKNOWN', false],
    ['RegistryRateLimitedError', 'MODSYNC_REGISTRY_RATE_LIMITED', true],
    ['RegistryUnavailableError', 'MODSYNC_REGISTRY_UNAVAILABLE', true],
    ['RegistryTimeoutError', 'MODSYNC_REGISTRY_TIMEOUT', true],
    ['RegistryTlsError', 'MODSYNC_REGISTRY_TLS', false],
    ['RegistryUnexpectedStatusError', 'MODSYNC_REGISTRY_UNEXPECTED_STATUS', false],
    ['RegistryBadResponseError', 'MODSYNC_REGISTRY_BAD_RESPONSE', false],
    ['RegistryResponseTooLargeError', 'MODSYNC_REGISTRY_RESPONSE_TOO_LARGE', false],
    ['RegistryPlatformNotFoundError', 'MODSYNC_REGISTRY_PLATFORM_NOT_FOUND', false],
    ['RegistryDigestMismatchError', 'MODSYNC_REGISTRY_DIGEST_MISMATCH', false],
    ['RegistryCredentialsNotFoundError', 'MODSYNC_REGISTRY_CREDENTIALS_NOT_FOUND', false],
    ['RegistryBadConfigError', 'MODSYNC_REGISTRY_BAD_CONFIG', false],
    ['RegistryBadReferenceError', 'MODSYNC_REGISTRY_BAD_REFERENCE', false],
    ['RegistryInvalidOptionError', 'MODSYNC_REGISTRY_INVALID_OPTION', false],
    ['RegistryExtractLimitError', 'MODSYNC_REGISTRY_EXTRACT_LIMIT', false],
    ['RegistryUnsafeArchiveError', 'MODSYNC_REGISTRY_UNSAFE_ARCHIVE', false],
    ['RegistryBadArchiveError', 'MODSYNC_REGISTRY_BAD_ARCHIVE', false],
  ])('%s has code %s, retryable %s', (name, code, retryable) => {
    const Class = (errors as unknown as Record<string, AnyErrorClass>)[name]!;
    const cause = new Error('root');
    const err = new Class('msg', {
      ...(extra as object),
      registry: 'r.io',
      repository: 'a/b',
      reference: 'stable',
      statusCode: 404,
      method: 'GET',
      url: 'https://r.io/v2/a/b/manifests/stable',
      cause,
    } as never);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toBeInstanceOf(Class);
    expect(err.cause).toBe(cause);
    expect(err).toMatchObject({
      registry: 'r.io',
      repository: 'a/b',
      reference: 'stable',
      statusCode: 404,
      method: 'GET',
    });
    expect(Object.values(RegistryErrorCodes)).toContain(code);
  });

  it('every code has exactly one class', () => {
    const classes = Object.values(errors).filter((v) => typeof v === 'function' && 'code' in v) as unknown as {
      code: string;
    }[];
    expect(classes.map((c) => c.code).sort()).toEqual(Object.values(RegistryErrorCodes).sort());
  });

  it('instanceof works on a copy from another package instance (brand), and not across classes', () => {
    const foreign = Object.assign(new Error('x'), { code: RegistryErrorCodes.MANIFEST_UNKNOWN });
    Object.defineProperty(foreign, Symbol.for('modsync.registry.error'), { value: true });
    expect(foreign).toBeInstanceOf(RegistryError);
    expect(foreign).toBeInstanceOf(RegistryManifestUnknownError);
    expect(foreign).not.toBeInstanceOf(RegistryUnavailableError);
    expect(new Error('plain')).not.toBeInstanceOf(RegistryError);
  });
});

describe('formatHttpErrorMessage (DKP pullError shape)', () => {
  const url = 'https://r.io/v2/deckhouse/modules/module-one/release/manifests/stable';
  it.each([
    {
      name: 'one registry error (detail not printed)',
      body: '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"stable"}}]}',
      status: 404,
      want: `GET ${url}: MANIFEST_UNKNOWN: manifest unknown`,
    },
    {
      name: 'several errors',
      body: '{"errors":[{"code":"DENIED","message":"no"},{"code":"UNAUTHORIZED","message":"who?"}]}',
      status: 403,
      want: `GET ${url}: DENIED: no; UNAUTHORIZED: who?`,
    },
    {
      name: 'error without message',
      body: '{"errors":[{"code":"NAME_UNKNOWN"}]}',
      status: 404,
      want: `GET ${url}: NAME_UNKNOWN: `,
    },
    { name: 'empty body', body: '', status: 503, want: `GET ${url}: unexpected status code 503 Service Unavailable` },
    {
      name: 'HTML body',
      body: '<html>bad gateway</html>',
      status: 502,
      want: `GET ${url}: unexpected status code 502 Bad Gateway`,
    },
    {
      name: 'JSON without errors',
      body: '{"message":"x"}',
      status: 500,
      want: `GET ${url}: unexpected status code 500 Internal Server Error`,
    },
    { name: 'unknown status', body: '', status: 599, want: `GET ${url}: unexpected status code 599` },
  ])('$name', ({ body, status, want }) => {
    expect(formatHttpErrorMessage('GET', url, status, parseOciErrors(body))).toBe(want);
  });

  it('keeps the detail in registryErrors', () => {
    expect(
      parseOciErrors('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"stable"}}]}'),
    ).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'stable' } }]);
  });
});
