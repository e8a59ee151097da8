import { describe, expect, it } from 'vitest';
import type { ReleaseChannel } from '@modsync/dkp';
import {
  isValidSignature,
  isValidToken,
  NotificationFormatError,
  parseGenericPayload,
  parseHarborPayload,
  parseJsonBody,
  parseNotification,
  parseRegistryEnvelope,
  pushTargets,
  type PushEvent,
} from './notifications.ts';

const DIGEST = 'sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b';

describe('registry (distribution) envelope', () => {
  it('keeps the push events with their repository, tag and digest', () => {
    const body = {
      events: [
        {
          id: 'e1',
          timestamp: '2026-12-06T03:00:00Z',
          action: 'push',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: DIGEST,
            repository: 'mods/module-1/release',
            tag: 'stable',
            url: 'http://127.0.0.1:5000/v2/mods/module-1/release/manifests/sha256:6c3c',
          },
          request: { host: '127.0.0.1:5000', method: 'PUT' },
        },
        { id: 'e2', action: 'pull', target: { repository: 'mods/module-1/release', tag: 'stable', digest: DIGEST } },
        {
          id: 'e3',
          action: 'push',
          target: { mediaType: 'application/octet-stream', repository: 'mods/module-1/release', digest: 'sha256:aa' },
        },
      ],
    };
    expect(parseRegistryEnvelope(body)).toEqual([
      { repository: 'mods/module-1/release', tag: 'stable', digest: DIGEST },
      { repository: 'mods/module-1/release', tag: '', digest: 'sha256:aa' },
    ]);
  });

  it.each([
    { what: 'an array', body: [], message: 'expected a registry notification envelope: {"events": [...]}' },
    { what: 'no events', body: { event: [] }, message: 'expected a registry notification envelope: {"events": [...]}' },
    { what: 'a string event', body: { events: ['push'] }, message: 'events[0] is not an object' },
    {
      what: 'a push without a repository',
      body: { events: [{ action: 'push', target: { tag: 'stable' } }] },
      message: 'events[0].target.repository is missing',
    },
  ])('rejects $what', ({ body, message }) => {
    expect(() => parseRegistryEnvelope(body)).toThrow(new NotificationFormatError(message));
  });
});

describe('Harbor payloads', () => {
  const data = {
    resources: [
      { digest: DIGEST, tag: 'stable', resource_url: 'harbor.example.com/mods/module-1/release:stable' },
      { digest: DIGEST, tag: DIGEST, resource_url: `harbor.example.com/mods/module-1/release@${DIGEST}` },
    ],
    repository: {
      date_created: 1765000000,
      name: 'module-1/release',
      namespace: 'mods',
      repo_full_name: 'mods/module-1/release',
      repo_type: 'private',
    },
  };
  const expected: PushEvent[] = [
    { repository: 'mods/module-1/release', tag: 'stable', digest: DIGEST },
    { repository: 'mods/module-1/release', tag: '', digest: DIGEST },
  ];

  it('reads the default format', () => {
    expect(
      parseHarborPayload({ type: 'PUSH_ARTIFACT', occur_at: 1765000000, operator: 'robot$ci', event_data: data }),
    ).toEqual(expected);
  });

  it('reads the CloudEvents format', () => {
    const event = {
      specversion: '1.0',
      id: '66e18103',
      source: '/projects/2/webhook/policies/15',
      type: 'harbor.artifact.pushed',
      datacontenttype: 'application/json',
      time: '2026-12-06T03:00:00Z',
      data,
      operator: 'robot$ci',
    };
    expect(parseHarborPayload(event)).toEqual(expected);
  });

  it.each([
    { what: 'a pull (default)', body: { type: 'PULL_ARTIFACT', event_data: data } },
    { what: 'a deletion (CloudEvents)', body: { specversion: '1.0', type: 'harbor.artifact.deleted', data } },
  ])('drops $what', ({ body }) => {
    expect(parseHarborPayload(body)).toEqual([]);
  });

  it.each([
    {
      what: 'neither type nor specversion',
      body: { event_data: data },
      message: 'expected a Harbor webhook payload: no "type" and no "specversion"',
    },
    { what: 'a CloudEvent without a type', body: { specversion: '1.0', data }, message: 'CloudEvent without a type' },
    { what: 'a push without event_data', body: { type: 'PUSH_ARTIFACT' }, message: 'event_data is missing' },
    {
      what: 'a push without a repository',
      body: { type: 'PUSH_ARTIFACT', event_data: { resources: [] } },
      message: 'event_data.repository.repo_full_name is missing',
    },
    {
      what: 'a CloudEvent push without resources',
      body: { specversion: '1.0', type: 'harbor.artifact.pushed', data: { repository: { repo_full_name: 'a/b' } } },
      message: 'data.resources is missing',
    },
  ])('rejects $what', ({ body, message }) => {
    expect(() => parseHarborPayload(body)).toThrow(new NotificationFormatError(message));
  });
});

describe('generic payload', () => {
  it.each([
    {
      what: 'one event',
      body: { repository: 'mods/m/release', tag: 'stable', digest: DIGEST },
      want: [{ repository: 'mods/m/release', tag: 'stable', digest: DIGEST }],
    },
    {
      what: 'one event without digest',
      body: { repository: 'mods/m/release', tag: 'v1.0.0' },
      want: [{ repository: 'mods/m/release', tag: 'v1.0.0', digest: '' }],
    },
    {
      what: 'a list',
      body: {
        events: [
          { repository: 'mods/a/release', tag: 'alpha' },
          { repository: 'mods', tag: 'b' },
        ],
      },
      want: [
        { repository: 'mods/a/release', tag: 'alpha', digest: '' },
        { repository: 'mods', tag: 'b', digest: '' },
      ],
    },
  ])('reads $what', ({ body, want }) => {
    expect(parseGenericPayload(body)).toEqual(want);
  });

  it.each([
    { body: { tag: 'stable' }, message: 'repository is missing' },
    { body: { events: [{ repository: 'a' }, { tag: 'x' }] }, message: 'events[1].repository is missing' },
    { body: 'mods/m/release', message: 'repository is missing' },
  ])('rejects $body', ({ body, message }) => {
    expect(() => parseGenericPayload(body)).toThrow(new NotificationFormatError(message));
  });
});

describe('request bodies', () => {
  it.each([
    { body: '', message: 'empty body: expected a JSON object' },
    { body: '{"events": [', message: /^body is not JSON: / },
  ])('rejects "$body"', ({ body, message }) => {
    expect(() => parseJsonBody(Buffer.from(body))).toThrow(message);
  });

  it('parses by format', () => {
    const body = Buffer.from(
      '{"events":[{"action":"push","target":{"repository":"r/m/release","tag":"beta","digest":"sha256:1"}}]}',
    );
    expect(parseNotification('registry', body)).toEqual([
      { repository: 'r/m/release', tag: 'beta', digest: 'sha256:1' },
    ]);
    expect(() => parseNotification('harbor', body)).toThrow(
      'expected a Harbor webhook payload: no "type" and no "specversion"',
    );
  });
});

describe('HMAC signature (sha256=<hex>)', () => {
  const body = Buffer.from('{"repository":"mods/m/release","tag":"stable"}');
  // HMAC-SHA256 of `body` under "secret-key", computed with openssl dgst -sha256 -hmac secret-key.
  const good = 'sha256=9e01f9f1275fa210a8fd66ddd700fb54e5794f441482a8862f3072645fa24161';
  it.each([
    { what: 'no header', header: undefined, want: false },
    { what: 'another algorithm', header: 'sha1=0123456789abcdef0123456789abcdef01234567', want: false },
    { what: 'a short digest', header: 'sha256=abcd', want: false },
    { what: 'a wrong digest', header: `sha256=${'0'.repeat(64)}`, want: false },
  ])('refuses $what', ({ header, want }) => {
    expect(isValidSignature(body, header, 'secret-key')).toBe(want);
  });
  it('accepts the right digest, in either case', () => {
    expect(isValidSignature(body, good, 'secret-key')).toBe(true);
    expect(isValidSignature(body, good.toUpperCase().replace('SHA256', 'sha256'), 'secret-key')).toBe(true);
    expect(isValidSignature(body, good, 'other-key')).toBe(false);
  });
});

describe('shared token (Authorization header)', () => {
  const token = 'notify-0123456789abcdef';
  it.each([
    { header: undefined, want: false },
    { header: '', want: false },
    { header: 'Bearer notify-0123456789abcdef', want: true },
    { header: 'bearer notify-0123456789abcdef', want: true },
    { header: 'notify-0123456789abcdef', want: true },
    { header: 'Bearer notify-0123456789abcdeF', want: false },
    { header: 'Basic notify-0123456789abcdef', want: false },
    { header: 'Bearer notify-0123456789abcde', want: false },
  ])('$header → $want', ({ header, want }) => {
    expect(isValidToken(header, token)).toBe(want);
  });
});

describe('pushes → syncs', () => {
  const sources = [
    { source: 'main', pathPrefix: 'deckhouse/modules' },
    { source: 'mirror', pathPrefix: 'deckhouse/modules' },
    { source: 'team', pathPrefix: 'team/mods' },
  ];
  const channels: Record<string, ReleaseChannel> = {
    'main/module-1': 'Stable',
    'mirror/module-1': 'Alpha',
    'team/x': 'EarlyAccess',
  };
  const channelOf = (source: string, module: string): ReleaseChannel => channels[`${source}/${module}`] ?? 'Stable';
  const push = (repository: string, tag: string): PushEvent => ({ repository, tag, digest: DIGEST });

  it('maps channel, version and catalogue pushes; ignores the rest; counts unknown repositories', () => {
    const mapping = pushTargets(
      [
        push('deckhouse/modules/module-1/release', 'stable'),
        push('deckhouse/modules/module-1/release', 'v1.2.3'),
        push('team/mods/x/release', 'early-access'),
        push('team/mods/x/release', 'alpha'),
        push('team/mods', 'y'),
        push('team/mods/x', 'v1.0.0'),
        push('team/mods/x/release', ''),
        push('team/mods/x/release', 'latest'),
        push('other/thing', 'stable'),
      ],
      sources,
      channelOf,
    );
    expect(mapping).toEqual({
      targets: [
        { source: 'main', module: 'module-1', channel: 'Stable', digest: DIGEST },
        { source: 'mirror', module: 'module-1', channel: 'Alpha' },
        { source: 'team', module: 'x', channel: 'EarlyAccess', digest: DIGEST },
        { source: 'team' },
      ],
      mapped: 4,
      ignored: [
        { repository: 'deckhouse/modules/module-1/release', tag: 'stable', reason: 'other-channel' },
        { repository: 'team/mods/x/release', tag: 'alpha', reason: 'other-channel' },
        { repository: 'team/mods/x', tag: 'v1.0.0', reason: 'bundle' },
        { repository: 'team/mods/x/release', tag: '', reason: 'untagged' },
        { repository: 'team/mods/x/release', tag: 'latest', reason: 'other-tag' },
      ],
      unknown: ['other/thing'],
    });
  });

  it('asks once per module, however many pushes name it, waiting for the newest digest of its channel tag', () => {
    const newer = 'sha256:0000000000000000000000000000000000000000000000000000000000000002';
    const mapping = pushTargets(
      [
        push('team/mods/x/release', 'v2.0.0'),
        push('team/mods/x/release', 'early-access'),
        { repository: 'team/mods/x/release', tag: 'early-access', digest: newer },
        push('team/mods/x/release', 'v2.0.1'),
      ],
      sources,
      channelOf,
    );
    expect(mapping.targets).toEqual([{ source: 'team', module: 'x', channel: 'EarlyAccess', digest: newer }]);
    expect(mapping.mapped).toBe(4);
  });
});
