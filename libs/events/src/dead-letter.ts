// Dead letters: entries a group gave up on (a handler that kept failing, an event it cannot read), kept with the error
// in the group's own dead-letter stream so a person or a tool can look at them and replay them.
import type { Redis } from 'ioredis';
import { EventsInvalidOptionError, EventsRedisError } from './errors.ts';
import { DEFAULT_EVENTS_PREFIX, eventKeys, isValidGroupName, isValidPrefix } from './keys.ts';
import { parseEntries, type StreamEntry } from './stream-reply.ts';

/** One dead-letter record. */
export interface DeadLetter {
  /** Id of the record in the dead-letter stream. */
  readonly id: string;
  /** Id of the original entry in the event stream. */
  readonly entryId: string;
  /** The original entry's `event` field, as it was (it may not parse). */
  readonly event: string;
  readonly group: string;
  /** The consumer that gave up. */
  readonly consumer: string;
  readonly deliveries: number;
  /** The error's `name`, `code` (its name when it has no code) and message. */
  readonly errorName: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** RFC 3339. */
  readonly failedAt: string;
}

/** The fields written for a dead letter (flat, for XADD). */
export function deadLetterFields(
  input: Omit<DeadLetter, 'id' | 'errorName' | 'errorCode' | 'errorMessage'> & { error: unknown },
): string[] {
  const { errorName, errorCode, errorMessage } = describeError(input.error);
  return [
    'entryId',
    input.entryId,
    'event',
    input.event,
    'group',
    input.group,
    'consumer',
    input.consumer,
    'deliveries',
    String(input.deliveries),
    'errorName',
    errorName,
    'errorCode',
    errorCode,
    'errorMessage',
    errorMessage,
    'failedAt',
    input.failedAt,
  ];
}

/** `name`, `code` and `message` of anything thrown. */
export function describeError(error: unknown): { errorName: string; errorCode: string; errorMessage: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      errorName: error.name,
      errorCode: typeof code === 'string' && code !== '' ? code : error.name,
      errorMessage: error.message,
    };
  }
  return { errorName: 'NonError', errorCode: 'NonError', errorMessage: String(error) };
}

/** Reads a dead-letter stream entry back. */
export function parseDeadLetter(entry: StreamEntry): DeadLetter {
  const f = entry.fields;
  return {
    id: entry.id,
    entryId: f.entryId ?? '',
    event: f.event ?? '',
    group: f.group ?? '',
    consumer: f.consumer ?? '',
    deliveries: Number(f.deliveries ?? '0'),
    errorName: f.errorName ?? '',
    errorCode: f.errorCode ?? '',
    errorMessage: f.errorMessage ?? '',
    failedAt: f.failedAt ?? '',
  };
}

export interface ReadDeadLettersOptions {
  group: string;
  /** @defaultValue `'modsync:events'` */
  prefix?: string;
  /** Most records returned, oldest first. @defaultValue 100 */
  count?: number;
}

/** The oldest dead letters of a group. Throws EventsInvalidOptionError, EventsRedisError. */
export async function readDeadLetters(redis: Redis, options: ReadDeadLettersOptions): Promise<DeadLetter[]> {
  const prefix = options.prefix ?? DEFAULT_EVENTS_PREFIX;
  const count = options.count ?? 100;
  if (!isValidPrefix(prefix)) throw new EventsInvalidOptionError('prefix', 'must be 1–100 characters of A-Za-z0-9._:-');
  if (!isValidGroupName(options.group))
    throw new EventsInvalidOptionError('group', 'must be 1–128 characters of A-Za-z0-9._:-');
  if (!Number.isInteger(count) || count < 1) throw new EventsInvalidOptionError('count', 'must be a positive integer');
  let reply: unknown;
  try {
    reply = await redis.call('XRANGE', eventKeys(prefix).deadLetter(options.group), '-', '+', 'COUNT', count);
  } catch (err) {
    throw new EventsRedisError('read-dead-letters', err);
  }
  return parseEntries(reply).map(parseDeadLetter);
}
