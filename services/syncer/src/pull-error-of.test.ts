import { describe, expect, it } from 'vitest';
import { RegistryManifestUnknownError, RegistryResponseTooLargeError } from '@modsync/registry';
import { pullErrorOf } from './sync-source.ts';

const url = 'http://r.example/v2/src/modules/echo/release/manifests/stable';

describe('pullErrorOf', () => {
  it.each([
    [
      'a 404 with the registry’s error: its code and message',
      new RegistryManifestUnknownError('ignored', {
        method: 'GET',
        url,
        statusCode: 404,
        registryErrors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }],
      }),
      `get image info: fetch image error: GET ${url}: MANIFEST_UNKNOWN: manifest unknown`,
    ],
    [
      'a 200 whose body was too large: the client’s message, not "unexpected status code 200"',
      new RegistryResponseTooLargeError(`GET ${url}: response body larger than 4194304 bytes`, {
        method: 'GET',
        url,
        statusCode: 200,
      }),
      `get image info: fetch image error: GET ${url}: response body larger than 4194304 bytes`,
    ],
    ['not a registry error: its message', new Error('boom'), 'get image info: fetch image error: boom'],
  ])('%s', (_, err, expected) => {
    expect(pullErrorOf(err)).toBe(expected);
  });
});
