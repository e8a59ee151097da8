// The discovery event schema, version 1 (README.md of this package documents it for people).
//
// Each event says what changed (`type` and its fields) AND carries `state`, the full current state of that module on
// that source as the syncer saw it. A consumer that applies only the newest event per (source, module), by `seq`, ends
// in the right state whatever was lost, duplicated or reordered before it: events are level-triggered hints.
//
// Compatibility: within v1 only optional fields are added (consumers strip what they do not know). A new event type,
// a new required field or a changed meaning is a new `v`; consumers reject versions they do not read with
// EventVersionUnsupportedError.
import { z } from 'zod';

/** The envelope version this build writes. */
export const EVENT_SCHEMA_VERSION = 1;

/** The envelope versions this build reads. */
export const SUPPORTED_EVENT_VERSIONS: readonly number[] = Object.freeze([1]);

/** The closed set of v1 event types. */
export const DISCOVERY_EVENT_TYPES = [
  'module.appeared',
  'module.gone',
  'channel.version',
  'module.checksum',
  'pull-error.set',
  'pull-error.cleared',
] as const;

export type DiscoveryEventType = (typeof DISCOVERY_EVENT_TYPES)[number];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** A ModuleSource name: a Kubernetes object name (DNS-1123 subdomain, ≤ 253). */
const SourceNameSchema = z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain');

/** A module name as DKP accepts it from the source's tag list (DNS-1123 subdomain, ≤ 64). */
const ModuleNameSchema = z
  .string()
  .max(64)
  .regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain of at most 64 characters');

/** A release channel, spelled as the CRD enum: `Alpha`, `Beta`, `EarlyAccess`, `Stable`, `RockSolid`, `Lts`. */
const ChannelNameSchema = z
  .string()
  .max(32)
  .regex(/^[A-Z][A-Za-z]*$/, 'must be a channel name as the CRD spells it (Stable, EarlyAccess)');

/** `vX.Y.Z` with an optional prerelease and build. Never DKP's `unknown`: a failed fetch is a pull error. */
const ModuleVersionSchema = z
  .string()
  .max(128)
  .regex(/^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, 'must be vX.Y.Z');

/** The digest of the channel's release image (`sha256:…`), DKP's `checksum`. */
const ChecksumSchema = z
  .string()
  .max(200)
  .regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'must be an OCI digest (sha256:…)');

/** DKP's per-module `pullError`: the registry's message, as the syncer wrote it to the ModuleSource status. */
const PullErrorSchema = z.string().min(1).max(8192);

const ConstraintSchema = z.string().max(256);

/**
 * What the release image of a channel's version says besides the version (dkp-contract.md §5, §7): `module.yaml`'s
 * weight and requirements, the changelog. Optional (added within v1): the syncer sends them when it read the image in
 * this sync, so the applier creates the ModuleRelease without reading the image again.
 */
const ReleaseMetadataSchema = z.object({
  weight: z.number().int().min(0).max(1_000_000),
  requirements: z
    .object({
      deckhouse: ConstraintSchema.optional(),
      kubernetes: ConstraintSchema.optional(),
      bootstrapped: ConstraintSchema.optional(),
      modules: z.record(z.string().max(64), ConstraintSchema).optional(),
    })
    .optional(),
  changelog: z.record(z.string(), z.unknown()).optional(),
});

/** What one channel of a module resolves to. */
const ChannelReleaseSchema = z.object({
  version: ModuleVersionSchema,
  checksum: ChecksumSchema,
  metadata: ReleaseMetadataSchema.optional(),
});

/**
 * A module the source lists. `channels` holds every channel the syncer resolved, with the last good value (a failed
 * fetch keeps it and sets `pullError`); `pullError` is `null` when the last sync of the module succeeded.
 */
export const PresentModuleStateSchema = z.object({
  present: z.literal(true),
  channels: z.record(ChannelNameSchema, ChannelReleaseSchema),
  pullError: PullErrorSchema.nullable(),
});

/** A module the source no longer lists. */
const GoneModuleStateSchema = z.object({
  present: z.literal(false),
});

const head = {
  v: z.literal(EVENT_SCHEMA_VERSION),
  /** Unique per publish (a UUID unless the producer gave one); a redelivery keeps it. */
  id: z.string().min(1).max(200),
  /** Strictly increasing per (source, module), given out by Redis at publish: the newest event wins. */
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
};

const subject = {
  source: SourceNameSchema,
  module: ModuleNameSchema,
  /** When the syncer observed the change (RFC 3339). Informational: order by `seq`. */
  at: z.iso.datetime({ offset: true }),
};

const ModuleAppearedEventSchema = z.object({
  ...head,
  type: z.literal('module.appeared'),
  ...subject,
  state: PresentModuleStateSchema,
});

const ModuleGoneEventSchema = z.object({
  ...head,
  type: z.literal('module.gone'),
  ...subject,
  state: GoneModuleStateSchema,
});

const ChannelVersionEventSchema = z
  .object({
    ...head,
    type: z.literal('channel.version'),
    ...subject,
    channel: ChannelNameSchema,
    version: ModuleVersionSchema,
    checksum: ChecksumSchema,
    /** The version the channel had before, when the syncer knew one. */
    previousVersion: ModuleVersionSchema.nullable().default(null),
    state: PresentModuleStateSchema,
  })
  .refine(
    (e) => e.state.channels[e.channel]?.version === e.version && e.state.channels[e.channel]?.checksum === e.checksum,
    {
      message: 'state.channels[channel] must hold the event’s version and checksum',
      path: ['state', 'channels'],
    },
  );

const ModuleChecksumEventSchema = z
  .object({
    ...head,
    type: z.literal('module.checksum'),
    ...subject,
    channel: ChannelNameSchema,
    version: ModuleVersionSchema,
    checksum: ChecksumSchema,
    /** The digest the channel had before, when the syncer knew one. */
    previousChecksum: ChecksumSchema.nullable().default(null),
    state: PresentModuleStateSchema,
  })
  .refine(
    (e) => e.state.channels[e.channel]?.version === e.version && e.state.channels[e.channel]?.checksum === e.checksum,
    {
      message: 'state.channels[channel] must hold the event’s version and checksum',
      path: ['state', 'channels'],
    },
  );

const PullErrorSetEventSchema = z
  .object({
    ...head,
    type: z.literal('pull-error.set'),
    ...subject,
    error: PullErrorSchema,
    state: PresentModuleStateSchema,
  })
  .refine((e) => e.state.pullError === e.error, {
    message: 'state.pullError must equal error',
    path: ['state', 'pullError'],
  });

const PullErrorClearedEventSchema = z
  .object({
    ...head,
    type: z.literal('pull-error.cleared'),
    ...subject,
    state: PresentModuleStateSchema,
  })
  .refine((e) => e.state.pullError === null, { message: 'state.pullError must be null', path: ['state', 'pullError'] });

/** Any v1 discovery event. Unknown fields are stripped (forward compatibility within v1). */
export const DiscoveryEventSchema = z.discriminatedUnion('type', [
  ModuleAppearedEventSchema,
  ModuleGoneEventSchema,
  ChannelVersionEventSchema,
  ModuleChecksumEventSchema,
  PullErrorSetEventSchema,
  PullErrorClearedEventSchema,
]);

export type ReleaseMetadataState = z.output<typeof ReleaseMetadataSchema>;
export type PresentModuleState = z.output<typeof PresentModuleStateSchema>;
export type DiscoveryEvent = z.output<typeof DiscoveryEventSchema>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What a producer hands to `publish`: an event without `v` and `seq` (the publisher sets them); `id` defaults to a
 * fresh UUID and `at` to the publisher's clock.
 */
export type DiscoveryEventInput = DistributiveOmit<z.input<typeof DiscoveryEventSchema>, 'v' | 'seq' | 'id' | 'at'> & {
  id?: string | undefined;
  at?: string | Date | undefined;
};
