import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './www-authenticate.ts';

describe('parseWwwAuthenticate', () => {
  it.each([
    {
      header: 'Bearer realm="https://auth.example.io/token",service="registry.example.io",scope="repository:a/b:pull"',
      want: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example.io/token',
            service: 'registry.example.io',
            scope: 'repository:a/b:pull',
          },
        },
      ],
    },
    {
      header: 'Bearer realm="https://auth.example.io/token",service="r",scope="repository:a:pull,push"',
      want: [
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.example.io/token', service: 'r', scope: 'repository:a:pull,push' },
        },
      ],
    },
    { header: 'Basic realm="Registry Realm"', want: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
    { header: 'basic realm=unquoted', want: [{ scheme: 'basic', params: { realm: 'unquoted' } }] },
    {
      header: 'Bearer realm="https://a/t", error="invalid_token" , Basic realm="x"',
      want: [
        { scheme: 'bearer', params: { realm: 'https://a/t', error: 'invalid_token' } },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    },
    {
      header: 'Bearer realm="with \\"escaped\\" quote"',
      want: [{ scheme: 'bearer', params: { realm: 'with "escaped" quote' } }],
    },
    {
      header: 'Negotiate abc123==, Basic realm="r"',
      want: [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    },
    {
      header: 'Bearer REALM="https://a/t",Service="s"',
      want: [{ scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } }],
    },
    { header: '', want: [] },
    { header: '   ,  ', want: [] },
    { header: 'Bearer realm="unterminated', want: [{ scheme: 'bearer', params: { realm: 'unterminated' } }] },
  ])('$header', ({ header, want }) => {
    expect(parseWwwAuthenticate(header)).toEqual(want);
  });

  it('reads every value of a repeated header', () => {
    expect(parseWwwAuthenticate(['Basic realm="a"', 'Bearer realm="https://t"'])).toEqual([
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'https://t' } },
    ]);
  });

  it('returns nothing for no header', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});
