// Turn a final non-2xx response into the typed error of its status and OCI error code.
import { z } from 'zod';
import {
  formatHttpErrorMessage,
  type OciErrorEntry,
  RegistryBlobUnknownError,
  RegistryDeniedError,
  type RegistryError,
  type RegistryErrorFields,
  RegistryManifestUnknownError,
  RegistryNameUnknownError,
  RegistryRateLimitedError,
  RegistryUnauthorizedError,
  RegistryUnavailableError,
  RegistryUnexpectedStatusError,
} from '../errors.ts';
import { parseRetryAfter } from '@modsync/runtime/backoff';
import type { Layer, RegistryRequest, RegistryResponse } from './types.ts';

const ociErrorBodySchema = z.object({
  errors: z.array(
    z.object({
      code: z.string(),
      message: z.string().optional(),
      detail: z.unknown().optional(),
    }),
  ),
});

/** The `errors` of an OCI error body; `[]` when the body is not one. */
export function parseOciErrors(body: Buffer | string): OciErrorEntry[] {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!text.trimStart().startsWith('{')) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = ociErrorBodySchema.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.errors.map((e) => ({
    code: e.code,
    message: e.message ?? '',
    ...(e.detail === undefined ? {} : { detail: e.detail }),
  }));
}

export function requestFields(request: RegistryRequest): RegistryErrorFields {
  return {
    registry: request.settings.host,
    repository: request.repository,
    reference: request.reference,
    method: request.method,
    url: request.url.href,
  };
}

export function errorFromResponse(request: RegistryRequest, response: RegistryResponse): RegistryError {
  const registryErrors = parseOciErrors(response.body);
  const status = response.statusCode;
  const message = formatHttpErrorMessage(request.method, response.url.href, status, registryErrors);
  const fields: RegistryErrorFields = {
    ...requestFields(request),
    url: response.url.href,
    statusCode: status,
    registryErrors,
  };
  const codes = new Set(registryErrors.map((e) => e.code));
  if (status === 401) return new RegistryUnauthorizedError(message, fields);
  if (status === 403) return new RegistryDeniedError(message, fields);
  if (status === 404) {
    if (codes.has('MANIFEST_UNKNOWN')) return new RegistryManifestUnknownError(message, fields);
    if (codes.has('NAME_UNKNOWN')) return new RegistryNameUnknownError(message, fields);
    if (codes.has('BLOB_UNKNOWN')) return new RegistryBlobUnknownError(message, fields);
    switch (request.op) {
      case 'head_manifest':
      case 'get_manifest':
        return new RegistryManifestUnknownError(message, fields);
      case 'list_tags':
        return new RegistryNameUnknownError(message, fields);
      case 'head_blob':
      case 'get_blob':
        return new RegistryBlobUnknownError(message, fields);
      default:
        return new RegistryUnexpectedStatusError(message, fields);
    }
  }
  if (status === 429) {
    const retryAfterMs = response.retryAfterMs ?? parseRetryAfter(response.headers['retry-after'], Date.now());
    return new RegistryRateLimitedError(message, { ...fields, retryAfterMs });
  }
  if (status >= 500 || status === 408) return new RegistryUnavailableError(message, fields);
  return new RegistryUnexpectedStatusError(message, fields);
}

/** Outermost layer: anything but a 2xx becomes a typed error. */
export const responseErrorLayer: Layer = (next) => async (request) => {
  const response = await next(request);
  if (response.statusCode >= 200 && response.statusCode < 300) return response;
  throw errorFromResponse(request, response);
};
