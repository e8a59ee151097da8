import { describe, expect, it } from 'vitest';

import { goValue, pullErrorText, registryErrorText, type RegistryErrorInfo } from './pull-error.ts';

const URL = 'https://registry.example.com/v2/deckhouse/modules/module-1/release/manifests/stable';

describe('registryErrorText / pullErrorText (§7, §10.4)', () => {
  it.each<{ why: string; error: RegistryErrorInfo; want: string }>([
    {
      why: 'the golden fixture: MANIFEST_UNKNOWN with its detail',
      error: {
        method: 'GET',
        url: URL,
        statusCode: 404,
        errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'stable' } }],
      },
      want: `get image info: fetch image error: GET ${URL}: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]`,
    },
    {
      why: 'no detail',
      error: {
        method: 'GET',
        url: URL,
        statusCode: 401,
        errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
      },
      want: `get image info: fetch image error: GET ${URL}: UNAUTHORIZED: authentication required`,
    },
    {
      why: 'several diagnostics',
      error: {
        method: 'GET',
        url: URL,
        statusCode: 403,
        errors: [
          { code: 'DENIED', message: 'denied' },
          { code: 'UNAUTHORIZED', message: 'no' },
        ],
      },
      want: `get image info: fetch image error: GET ${URL}: multiple errors returned: DENIED: denied; UNAUTHORIZED: no`,
    },
    {
      why: 'HEAD has no body',
      error: { method: 'HEAD', url: URL, statusCode: 404 },
      want: `get image info: fetch image error: HEAD ${URL}: unexpected status code 404 Not Found (HEAD responses have no body, use GET for details)`,
    },
    {
      why: 'a non-OCI body is kept',
      error: { method: 'GET', url: URL, statusCode: 502, body: 'Bad Gateway from proxy' },
      want: `get image info: fetch image error: GET ${URL}: unexpected status code 502 Bad Gateway: Bad Gateway from proxy`,
    },
  ])('$why', ({ error, want }) => {
    expect(pullErrorText(error)).toBe(want);
    expect(pullErrorText(error)).toBe(`get image info: fetch image error: ${registryErrorText(error)}`);
  });

  it('wraps a plain cause', () => {
    expect(pullErrorText('dial tcp 10.0.0.1:443: connect: connection refused')).toBe(
      'get image info: fetch image error: dial tcp 10.0.0.1:443: connect: connection refused',
    );
  });
});

describe("goValue: Go's %v", () => {
  it.each([
    { value: { Tag: 'stable' }, want: 'map[Tag:stable]' },
    { value: { b: 1, a: [1, 2] }, want: 'map[a:[1 2] b:1]' },
    { value: 'text', want: 'text' },
    { value: null, want: '<nil>' },
  ])('$value → $want', ({ value, want }) => {
    expect(goValue(value)).toBe(want);
  });
});
