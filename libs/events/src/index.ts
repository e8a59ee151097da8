// @modsync/events: the discovery event schema (versioned), a durable publisher and a consumer-group subscriber over
// Redis Streams. Every public name is listed here; nothing else is part of the API. README.md documents the schema.

// schema
export {
  PresentModuleStateSchema,
  type ReleaseMetadataState,
  type DiscoveryEvent,
  type DiscoveryEventInput,
  type PresentModuleState,
} from './schema.ts';
export { decodeEvent, parseEvent } from './codec.ts';

// ordering helpers for level-triggered consumers

// keys
export { eventKeys } from './keys.ts';

// publisher and subscriber
export { EventPublisher } from './publisher.ts';
export { EventSubscriber } from './subscriber.ts';
export type {
  EventContext,
  EventSubscriberOptions,
} from './options.ts';

// dead letters
export { readDeadLetters } from './dead-letter.ts';

// errors
export {
  EventInvalidError,
  EventsError,
} from './errors.ts';

// diagnostics (node:diagnostics_channel names and message shapes)
export {
  EVENTS_CHANNELS,
  type EventDeadLetteredMessage,
  type EventHandlerErrorMessage,
  type EventInvalidMessage,
  type EventsReclaimedMessage,
} from './diagnostics.ts';
