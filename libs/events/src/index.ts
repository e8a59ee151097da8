// @modsync/events: the discovery event schema (versioned), a durable publisher and a consumer-group subscriber over
// Redis Streams. Every public name is listed here; nothing else is part of the API. README.md documents the schema.

// schema
export {
  ChannelNameSchema,
  ChannelReleaseSchema,
  ReleaseMetadataSchema,
  ChannelVersionEventSchema,
  ChecksumSchema,
  DISCOVERY_EVENT_TYPES,
  DiscoveryEventSchema,
  EVENT_SCHEMA_VERSION,
  GoneModuleStateSchema,
  ModuleAppearedEventSchema,
  ModuleChecksumEventSchema,
  ModuleGoneEventSchema,
  ModuleNameSchema,
  ModuleStateSchema,
  ModuleVersionSchema,
  PresentModuleStateSchema,
  PullErrorClearedEventSchema,
  PullErrorSchema,
  PullErrorSetEventSchema,
  SUPPORTED_EVENT_VERSIONS,
  SourceNameSchema,
  type ChannelRelease,
  type ReleaseMetadataState,
  type ChannelVersionEvent,
  type DiscoveryEvent,
  type DiscoveryEventInput,
  type DiscoveryEventType,
  type GoneModuleState,
  type ModuleAppearedEvent,
  type ModuleChecksumEvent,
  type ModuleGoneEvent,
  type ModuleState,
  type PresentModuleState,
  type PullErrorClearedEvent,
  type PullErrorSetEvent,
} from './schema.ts';
export { decodeEvent, encodeEvent, parseEvent } from './codec.ts';

// ordering helpers for level-triggered consumers
export { eventKey, isNewer, latestPerModule, type EventSubject } from './ordering.ts';

// keys
export { DEFAULT_EVENTS_PREFIX, eventKeys, type EventKeys } from './keys.ts';

// publisher and subscriber
export { EventPublisher, type PublishedEvent } from './publisher.ts';
export { EventSubscriber } from './subscriber.ts';
export {
  DEFAULT_PUBLISHER_OPTIONS,
  DEFAULT_SUBSCRIBER_OPTIONS,
  type EventContext,
  type EventHandler,
  type EventPublisherOptions,
  type EventSubscriberOptions,
  type EventsConnection,
  type ResolvedEventPublisherOptions,
  type ResolvedEventSubscriberOptions,
} from './options.ts';

// dead letters
export { readDeadLetters, type DeadLetter, type ReadDeadLettersOptions } from './dead-letter.ts';

// errors
export {
  EVENTS_ERROR_CODES,
  EventInvalidError,
  EventTooManyDeliveriesError,
  EventVersionUnsupportedError,
  EventsClosedError,
  EventsError,
  EventsInvalidOptionError,
  EventsRedisError,
  type EventsErrorCode,
} from './errors.ts';

// diagnostics (node:diagnostics_channel names and message shapes)
export {
  EVENTS_CHANNELS,
  type EventDeadLetteredMessage,
  type EventHandledMessage,
  type EventHandlerErrorMessage,
  type EventInvalidMessage,
  type EventPublishedMessage,
  type EventsReclaimedMessage,
  type EventsRedisErrorMessage,
} from './diagnostics.ts';
