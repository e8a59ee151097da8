import { describe, expect, it } from 'vitest';
import * as api from './index.ts';

describe('public index', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'DEFAULT_REGISTRY_CLIENT_OPTIONS',
        'MANIFEST_ACCEPT',
        'MediaTypes',
        'REGISTRY_CHANNELS',
        'RegistryBadArchiveError',
        'RegistryBadConfigError',
        'RegistryBadReferenceError',
        'RegistryBadResponseError',
        'RegistryBlobUnknownError',
        'RegistryCircuitOpenError',
        'RegistryCredentialsNotFoundError',
        'RegistryDeniedError',
        'RegistryDigestMismatchError',
        'RegistryError',
        'RegistryErrorCodes',
        'RegistryExtractLimitError',
        'RegistryInvalidOptionError',
        'RegistryManifestUnknownError',
        'RegistryNameUnknownError',
        'RegistryPlatformNotFoundError',
        'RegistryRateLimitedError',
        'RegistryResponseTooLargeError',
        'RegistryTimeoutError',
        'RegistryTlsError',
        'RegistryUnauthorizedError',
        'RegistryUnavailableError',
        'RegistryUnexpectedStatusError',
        'RegistryUnsafeArchiveError',
        'baseMediaType',
        'createRegistryClient',
        'createRegistryMetrics',
        'descriptorSchema',
        'extractLayer',
        'formatHttpErrorMessage',
        'imageIndexSchema',
        'imageManifestSchema',
        'isValidDigest',
        'isValidRepository',
        'isValidTag',
        'joinRepository',
        'layerCompression',
        'manifestKind',
        'parseReference',
        'parseRegistrySettings',
        'resolveRegistryClientOptions',
        'selectPlatformManifest',
        'sha256Digest',
      ].sort(),
    );
  });

  it('creates and closes a client with defaults', async () => {
    const client = api.createRegistryClient();
    expect(client.options.operationTimeoutMs).toBe(120_000);
    expect(client.stats()).toEqual({ knownHosts: 0, cachedTokens: 0, trustStores: 0, limiters: 0 });
    await client.close();
  });
});
