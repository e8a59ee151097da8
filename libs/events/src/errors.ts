// Every failure of @modsync/events is an EventsError subclass with a fixed `name` and a stable `code`
// (`MODSYNC_EVENTS_…`). Other packages branch on `code`, never on message text (style.md, "For modsync" 2).

const kEventsError = Symbol.for('modsync.events.error');

/** The stable codes, one per error class. */
export const EVENTS_ERROR_CODES = {
  unsupportedVersion: 'MODSYNC_EVENTS_UNSUPPORTED_VERSION',
  invalidEvent: 'MODSYNC_EVENTS_INVALID_EVENT',
  invalidOption: 'MODSYNC_EVENTS_INVALID_OPTION',
  closed: 'MODSYNC_EVENTS_CLOSED',
  redis: 'MODSYNC_EVENTS_REDIS',
  tooManyDeliveries: 'MODSYNC_EVENTS_TOO_MANY_DELIVERIES',
} as const;

export type EventsErrorCode = (typeof EVENTS_ERROR_CODES)[keyof typeof EVENTS_ERROR_CODES];

/** Base of every error thrown by `@modsync/events`. `instanceof` works across duplicate copies of the package. */
export abstract class EventsError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[kEventsError] !== true) {
      return false;
    }
    const code = (this as { code?: string }).code;
    return code === undefined || (value as { code?: unknown }).code === code;
  }

  declare readonly code: EventsErrorCode;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    Object.defineProperty(this, kEventsError, { value: true });
  }
}

/**
 * An event whose envelope version `v` this build does not read (a newer producer, or an older one after a breaking
 * change). Not retryable: the consumer that meets it dead-letters it; a consumer that reads `version` may replay it.
 */
export class EventVersionUnsupportedError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.unsupportedVersion;
  override readonly name = 'EventVersionUnsupportedError';
  override readonly code = EVENTS_ERROR_CODES.unsupportedVersion;
  /** The `v` the event carried. */
  readonly version: number;
  /** The versions this build reads. */
  readonly supported: readonly number[];

  constructor(version: number, supported: readonly number[]) {
    super(`unsupported discovery event version ${version} (this build reads v${supported.join(', v')})`);
    this.version = version;
    this.supported = supported;
  }
}

/** Not JSON, no usable `v`, or a `v: 1` event that breaks the schema. Not retryable. */
export class EventInvalidError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.invalidEvent;
  override readonly name = 'EventInvalidError';
  override readonly code = EVENTS_ERROR_CODES.invalidEvent;
  /** One line per problem, `path: message`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], cause?: unknown) {
    super(`invalid discovery event: ${issues.join('; ')}`, cause);
    this.issues = issues;
  }
}

/** A publisher or subscriber option is missing, of the wrong type or out of range; or a retired name was used. */
export class EventsInvalidOptionError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.invalidOption;
  override readonly name = 'EventsInvalidOptionError';
  override readonly code = EVENTS_ERROR_CODES.invalidOption;
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`invalid option ${option}: ${problem}`);
    this.option = option;
  }
}

/** `publish()` or `start()` after `close()`. */
export class EventsClosedError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.closed;
  override readonly name = 'EventsClosedError';
  override readonly code = EVENTS_ERROR_CODES.closed;

  constructor(what: string) {
    super(`${what} is closed`);
  }
}

/** A Redis command failed (connection lost, script error, wrong key type). The Redis error is the `cause`. */
export class EventsRedisError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.redis;
  override readonly name = 'EventsRedisError';
  override readonly code = EVENTS_ERROR_CODES.redis;
  /** The operation that failed (`publish`, `create-group`, …). */
  readonly op: string;

  constructor(op: string, cause: unknown) {
    super(`redis ${op} failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    this.op = op;
  }
}

/**
 * Kept in the dead-letter record of an entry that was delivered more than `maxDeliveries` times without its handler
 * ever finishing (each consumer that took it died or lost it): the handler is not run again.
 */
export class EventTooManyDeliveriesError extends EventsError {
  static readonly code = EVENTS_ERROR_CODES.tooManyDeliveries;
  override readonly name = 'EventTooManyDeliveriesError';
  override readonly code = EVENTS_ERROR_CODES.tooManyDeliveries;
  readonly deliveries: number;

  constructor(deliveries: number, maxDeliveries: number) {
    super(`delivered ${deliveries} times, more than maxDeliveries ${maxDeliveries}, without being handled`);
    this.deliveries = deliveries;
  }
}
