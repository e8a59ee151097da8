// @modsync/registry: an OCI distribution client on undici. Every public name is listed here; the transport layers,
// limiter, auth state and tar walker stay private.

// Client
export { createRegistryClient } from './client.ts';
export type {
  CallOptions,
  FetchedIndex,
  FetchedManifest,
  GetBlobOptions,
  GetManifestOptions,
  ListTagsOptions,
  ManifestHead,
  PushBlobResult,
  PushManifestResult,
  ReadImageFilesOptions,
  RegistryClient,
  RegistryClientStats,
} from './client.ts';
export { DEFAULT_REGISTRY_CLIENT_OPTIONS, resolveRegistryClientOptions } from './options.ts';
export type { RegistryClientOptions, ResolvedRegistryClientOptions } from './options.ts';
export type { SharedBudgetStore } from './transport/budget.ts';

// Settings and credentials
export { joinRepository, parseRegistrySettings } from './settings.ts';
export type { RegistrySettings, RegistrySettingsInput } from './settings.ts';
export type { RegistryCredentials } from './docker-config.ts';

// References, media types, manifests
export { isValidDigest, isValidRepository, isValidTag, parseReference } from './reference.ts';
export type { ParsedReference } from './reference.ts';
export { baseMediaType, layerCompression, MANIFEST_ACCEPT, manifestKind, MediaTypes } from './manifest/media-types.ts';
export type { LayerCompression, ManifestMediaType } from './manifest/media-types.ts';
export { descriptorSchema, imageIndexSchema, imageManifestSchema, selectPlatformManifest } from './manifest/schema.ts';
export type { Descriptor, ImageIndex, ImageManifest, Platform } from './manifest/schema.ts';
export { sha256Digest } from './digest.ts';

// Extraction
export { extractLayer } from './extract/extract-layer.ts';
export type { ExtractLimits, ExtractResult } from './extract/extract-layer.ts';
export type { TarEntryType } from './extract/tar-walk.ts';

// Errors
export {
  formatHttpErrorMessage,
  RegistryBadArchiveError,
  RegistryBadConfigError,
  RegistryBadReferenceError,
  RegistryBadResponseError,
  RegistryBlobUnknownError,
  RegistryCircuitOpenError,
  RegistryCredentialsNotFoundError,
  RegistryDeniedError,
  RegistryDigestMismatchError,
  RegistryError,
  RegistryErrorCodes,
  RegistryExtractLimitError,
  RegistryInvalidOptionError,
  RegistryManifestUnknownError,
  RegistryNameUnknownError,
  RegistryPlatformNotFoundError,
  RegistryRateLimitedError,
  RegistryResponseTooLargeError,
  RegistryTimeoutError,
  RegistryTlsError,
  RegistryUnauthorizedError,
  RegistryUnavailableError,
  RegistryUnexpectedStatusError,
  RegistryUnsafeArchiveError,
} from './errors.ts';
export type { ExtractLimitName, OciErrorEntry, RegistryErrorCode, RegistryErrorFields } from './errors.ts';

// Diagnostics and metrics
export { REGISTRY_CHANNELS } from './diagnostics.ts';
export type {
  RegistryBytesMessage,
  RegistryCircuitMessage,
  RegistryOp,
  RegistryRequestMessage,
  RegistryRetryMessage,
  RegistryTokenMessage,
  RequestOutcome,
} from './diagnostics.ts';
export { createRegistryMetrics } from './metrics.ts';
export type { RegistryMetrics, RegistryMetricsOptions } from './metrics.ts';
