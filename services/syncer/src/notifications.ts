import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { locateInSource, type ReleaseChannel } from '@modsync/dkp';

// Registry notifications → the module-channels they move (docs/operations.md#registry-notifications). Pure: the HTTP
// route checks the secret, parses the body here, and enqueues what `pushTargets` returns.

/** The notification formats the syncer accepts, one route each. */
export const NOTIFICATION_FORMATS = ['registry', 'harbor', 'generic'] as const;
export type NotificationFormat = (typeof NOTIFICATION_FORMATS)[number];

/** One pushed tag (or digest) of a repository, whatever format announced it. */
export interface PushEvent {
  /** Path inside the registry, no host: `deckhouse/modules/module-1/release`. */
  repository: string;
  /** Empty when only a digest was pushed. */
  tag: string;
  digest: string;
}

/** A body that is not the format's JSON: answered 400 with this message. */
export class NotificationFormatError extends Error {
  override readonly name = 'NotificationFormatError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** JSON of a request body, or a NotificationFormatError saying why not. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new NotificationFormatError('empty body: expected a JSON object');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new NotificationFormatError(`body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Distribution's envelope (`{"events": [...]}`, media type application/vnd.docker.distribution.events.v1+json): the
 * push events with a repository; pulls, deletes and mounts move nothing and are dropped.
 */
export function parseRegistryEnvelope(body: unknown): PushEvent[] {
  if (!isObject(body) || !Array.isArray(body.events))
    throw new NotificationFormatError('expected a registry notification envelope: {"events": [...]}');
  const pushes: PushEvent[] = [];
  for (const [index, event] of body.events.entries()) {
    if (!isObject(event)) throw new NotificationFormatError(`events[${index}] is not an object`);
    if (event.action !== 'push') continue;
    const target = event.target;
    if (!isObject(target) || text(target.repository) === '')
      throw new NotificationFormatError(`events[${index}].target.repository is missing`);
    pushes.push({ repository: text(target.repository), tag: text(target.tag), digest: text(target.digest) });
  }
  return pushes;
}

/** Harbor's push payload (`event_data` in the default format, `data` in CloudEvents): one event per pushed tag. */
function harborPushes(data: unknown, where: string): PushEvent[] {
  if (!isObject(data)) throw new NotificationFormatError(`${where} is missing`);
  const repository = isObject(data.repository) ? text(data.repository.repo_full_name) : '';
  if (repository === '') throw new NotificationFormatError(`${where}.repository.repo_full_name is missing`);
  if (!Array.isArray(data.resources)) throw new NotificationFormatError(`${where}.resources is missing`);
  return data.resources.filter(isObject).map((resource) => {
    const tag = text(resource.tag);
    // Harbor names an untagged push by its digest in `tag`.
    return { repository, tag: tag.startsWith('sha256:') ? '' : tag, digest: text(resource.digest) };
  });
}

/**
 * Harbor webhooks, either payload format: Default (`{"type": "PUSH_ARTIFACT", "event_data": …}`) or CloudEvents 1.0
 * structured (`{"specversion": "1.0", "type": "harbor.artifact.pushed", "data": …}`). Other event types are dropped.
 */
export function parseHarborPayload(body: unknown): PushEvent[] {
  if (!isObject(body)) throw new NotificationFormatError('expected a Harbor webhook payload (a JSON object)');
  if (body.specversion !== undefined) {
    if (text(body.type) === '') throw new NotificationFormatError('CloudEvent without a type');
    return body.type === 'harbor.artifact.pushed' ? harborPushes(body.data, 'data') : [];
  }
  if (text(body.type) === '')
    throw new NotificationFormatError('expected a Harbor webhook payload: no "type" and no "specversion"');
  return body.type === 'PUSH_ARTIFACT' ? harborPushes(body.event_data, 'event_data') : [];
}

/** The generic format: `{"repository": "<path>", "tag": "<tag>", "digest": "<digest>"}` or `{"events": [those]}`. */
export function parseGenericPayload(body: unknown): PushEvent[] {
  const one = (event: unknown, where: string): PushEvent => {
    if (!isObject(event) || text(event.repository) === '')
      throw new NotificationFormatError(`${where}repository is missing`);
    return { repository: text(event.repository), tag: text(event.tag), digest: text(event.digest) };
  };
  if (isObject(body) && Array.isArray(body.events)) return body.events.map((e, i) => one(e, `events[${i}].`));
  return [one(body, '')];
}

/** Parses a body of `format` (already authenticated). */
export function parseNotification(format: NotificationFormat, body: Buffer): PushEvent[] {
  const json = parseJsonBody(body);
  switch (format) {
    case 'registry':
      return parseRegistryEnvelope(json);
    case 'harbor':
      return parseHarborPayload(json);
    case 'generic':
      return parseGenericPayload(json);
  }
}

/**
 * Whether `header` (`sha256=<hex>`, as Flux's generic-hmac Receiver expects) is the HMAC-SHA256 of `body` under `key`.
 * Constant-time: compares digests of equal length, whatever was sent.
 */
export function isValidSignature(body: Buffer, header: string | undefined, key: string): boolean {
  if (!header) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', key).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
}

/**
 * Whether an Authorization header carries the shared token: `Bearer <token>` or the token alone (distribution's
 * `headers` and Harbor's "Auth Header" send what was configured, verbatim). Constant-time: compares digests.
 */
export function isValidToken(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const value = /^bearer /i.test(header) ? header.slice('bearer '.length) : header;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(value.trim()), digest(token));
}

/** A ModuleSource as the mapping needs it: its name and the path of its repo inside the registry. */
export interface SourceRepository {
  source: string;
  pathPrefix: string;
}

/** A sync to run: of one module of a source (`module` set), or of the whole source (its catalogue moved). */
interface PushTarget {
  source: string;
  module?: string;
  /** The channel that module follows; a push of another channel's tag is ignored. */
  channel?: ReleaseChannel;
  /**
   * The digest the channel's tag was pushed with, when the push was of that tag. Distribution announces a manifest
   * before it moves the tag, so the sync reads the tag again until it shows this digest
   * (docs/operations.md#registry-notifications).
   */
  digest?: string;
}

type IgnoredReason = 'untagged' | 'bundle' | 'other-channel' | 'other-tag';

export interface PushMapping {
  /** Deduplicated, in the order first seen. */
  targets: PushTarget[];
  /** Pushes that asked for at least one sync. */
  mapped: number;
  /** Pushes inside a source's layout that move nothing the syncer follows. */
  ignored: { repository: string; tag: string; reason: IgnoredReason }[];
  /** Pushes to repositories of no ModuleSource. */
  unknown: string[];
}

/**
 * The syncs a batch of pushes asks for. A push of a module's release image under the channel tag that module follows
 * (or under a version tag: the channel may point at it next) syncs that module alone; a push to a source's catalogue
 * syncs the whole source (a module may have appeared). Sources are matched by the repository's path: the host the
 * registry reports is the name its client used, which need not be the one in the source's repo.
 */
export function pushTargets(
  events: readonly PushEvent[],
  sources: readonly SourceRepository[],
  channelOf: (source: string, module: string) => ReleaseChannel,
): PushMapping {
  const mapping: PushMapping = { targets: [], mapped: 0, ignored: [], unknown: [] };
  const seen = new Map<string, PushTarget>();
  const add = (target: PushTarget) => {
    const key = `${target.source}\0${target.module ?? ''}`;
    const known = seen.get(key);
    // The newest push of the channel's tag is the digest to wait for.
    if (known) {
      if (target.digest !== undefined) known.digest = target.digest;
      return;
    }
    seen.set(key, target);
    mapping.targets.push(target);
  };
  for (const event of events) {
    let known = false;
    let mapped = false;
    for (const { source, pathPrefix } of sources) {
      const location = locateInSource(pathPrefix, event.repository, event.tag);
      if (!location) continue;
      known = true;
      const ignore = (reason: IgnoredReason) =>
        mapping.ignored.push({ repository: event.repository, tag: event.tag, reason });
      if (event.tag === '') ignore('untagged');
      else if (location.kind === 'catalogue') add({ source });
      else if (location.kind === 'bundle') ignore('bundle');
      else {
        const channel = channelOf(source, location.module);
        if (location.tag.kind === 'other') ignore('other-tag');
        else if (location.tag.kind === 'channel' && location.tag.channel !== channel) ignore('other-channel');
        else {
          const digest = location.tag.kind === 'channel' && event.digest !== '' ? event.digest : undefined;
          add({ source, module: location.module, channel, ...(digest ? { digest } : {}) });
          mapped = true;
        }
      }
      if (location.kind === 'catalogue' && event.tag !== '') mapped = true;
    }
    if (mapped) mapping.mapped++;
    if (!known) mapping.unknown.push(event.repository);
  }
  return mapping;
}
