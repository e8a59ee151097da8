// Property-based fuzzing of every parser that reads what comes from outside the syncer (a ModuleSource's spec, registry
// replies, release images, the event stream, the environment): whatever the input, each returns or throws its own typed
// error with a message, never anything else (a TypeError escaping would fail a sync without saying why).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, EventsError } from '@modsync/events';
import { parseReference, parseRegistrySettings, RegistryError } from '@modsync/registry';
import { parseDuration, parseRedisTarget, RedisConfigError } from '@modsync/runtime';
import { releaseImageVersion } from './sync-source.ts';

/** Runs `parse`; anything thrown must be an instance of `allowed` with a non-empty message. */
function onlyTyped(parse: () => unknown, allowed: (err: unknown) => boolean): void {
  try {
    parse();
  } catch (err) {
    if (!allowed(err) || !(err as Error).message)
      throw new Error(`untyped error escaped: ${String(err)}`, { cause: err });
  }
}

const runs = { numRuns: 300 };
/** Text that looks like what the parsers expect, mixed with anything. */
const jsonish = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);
const base64 = (text: fc.Arbitrary<string>) => text.map((t) => Buffer.from(t).toString('base64'));

describe('parsers at the boundary: no untyped exception escapes', () => {
  it('ModuleSource spec.registry (repo, scheme, dockerCfg as base64 or JSON, ca)', () => {
    const dockerCfg = fc.oneof(
      fc.string(),
      jsonish,
      base64(jsonish),
      base64(fc.constantFrom('{"auths":{"r":{"auth":"!!"}}}', '{"auths":{"r":{}}}', '{"auths":[]}', 'null')),
    );
    const input = fc.record({
      repo: fc.oneof(
        fc.string(),
        fc.webUrl(),
        fc.domain().map((d) => `${d}/m`),
      ),
      scheme: fc.option(fc.oneof(fc.string(), fc.constantFrom('HTTP', 'https', 'ftp')), { nil: undefined }),
      dockerCfg: fc.option(dockerCfg, { nil: undefined }),
      ca: fc.option(
        fc.oneof(fc.string(), fc.constant('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n')),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(input, (i) =>
        onlyTyped(
          () => parseRegistrySettings(i),
          (e) => e instanceof RegistryError,
        ),
      ),
      runs,
    );
  });

  it('references (tags, digests) from registry replies', () => {
    fc.assert(
      fc.property(fc.string(), (r) =>
        onlyTyped(
          () => parseReference(r),
          (e) => e instanceof RegistryError,
        ),
      ),
      runs,
    );
  });

  it('version.json of a release image', () => {
    const raw = fc.oneof(
      jsonish,
      fc.record({ version: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }).map((v) => JSON.stringify(v)),
      fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
    );
    fc.assert(
      fc.property(raw, (text) => {
        const read = releaseImageVersion('m', new Map([['version.json', Buffer.from(text)]]));
        expect('version' in read ? read.version : read.error).toEqual(expect.any(String));
      }),
      runs,
    );
  });

  it('events read from the stream', () => {
    fc.assert(
      fc.property(jsonish, (t) =>
        onlyTyped(
          () => decodeEvent(t),
          (e) => e instanceof EventsError,
        ),
      ),
      runs,
    );
  });

  it('durations and Redis settings from the environment', () => {
    fc.assert(
      fc.property(fc.string(), (t) =>
        onlyTyped(
          () => parseDuration(t),
          (e) => e instanceof Error && /^not a duration/.test(e.message),
        ),
      ),
      runs,
    );
    const variable = fc.option(fc.oneof(fc.string(), fc.constantFrom('redis://:p@h:1', 'a:1,b', '[::1]:26379', 'm')), {
      nil: undefined,
    });
    const env = fc.record({
      MODSYNC_REDIS_URL: variable,
      MODSYNC_REDIS_SENTINELS: variable,
      MODSYNC_REDIS_MASTER_NAME: variable,
      MODSYNC_REDIS_CLUSTER: variable,
      MODSYNC_REDIS_PASSWORD: variable,
      MODSYNC_REDIS_DB: variable,
    });
    fc.assert(
      fc.property(env, (e) =>
        onlyTyped(
          () => parseRedisTarget(e),
          (err) => err instanceof RedisConfigError,
        ),
      ),
      runs,
    );
  });
});

describe('releaseImageVersion (table)', () => {
  const cases: Array<[string, string | undefined, { version: string } | { error: string }]> = [
    ['a version', '{"version":"v1.2.3"}', { version: 'v1.2.3' }],
    ['no file', undefined, { error: 'module "m" metadata malformed: no version found' }],
    ['not JSON', '{', { error: 'module "m" metadata malformed: version.json is not JSON' }],
    ['JSON null', 'null', { error: 'module "m" metadata malformed: no version found' }],
    ['a number', '{"version":1}', { error: 'module "m" metadata malformed: no version found' }],
    ['invalid semver', '{"version":"v1.2"}', { error: 'fetch release metadata error: Invalid Semantic Version' }],
  ];
  it.each(cases)('%s', (_, text, expected) => {
    const files = new Map(text === undefined ? [] : [['version.json', Buffer.from(text)] as const]);
    expect(releaseImageVersion('m', files)).toEqual(expected);
  });
});
