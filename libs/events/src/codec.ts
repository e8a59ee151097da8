// Reading and writing events: the version gate first (a newer `v` is a typed error, never a crash or a half-read),
// then the v1 schema.
import type { z } from 'zod';
import { EventInvalidError, EventVersionUnsupportedError } from './errors.ts';
import {
  DiscoveryEventSchema,
  EVENT_SCHEMA_VERSION,
  SUPPORTED_EVENT_VERSIONS,
  type DiscoveryEvent,
  type DiscoveryEventInput,
} from './schema.ts';

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
  );
}

/**
 * Checks a parsed JSON value against the schema. Throws EventVersionUnsupportedError when `v` is a version this build
 * does not read, EventInvalidError for anything else that is wrong.
 */
export function parseEvent(value: unknown): DiscoveryEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventInvalidError(['(root): expected an object']);
  }
  const v = (value as { v?: unknown }).v;
  if (v === undefined) throw new EventInvalidError(['v: missing envelope version']);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new EventInvalidError([`v: expected a positive integer, got ${JSON.stringify(v) ?? typeof v}`]);
  }
  if (!SUPPORTED_EVENT_VERSIONS.includes(v)) throw new EventVersionUnsupportedError(v, SUPPORTED_EVENT_VERSIONS);
  const result = DiscoveryEventSchema.safeParse(value);
  if (!result.success) throw new EventInvalidError(describeIssues(result.error.issues), result.error);
  return result.data;
}

/** Parses the JSON text of a stream entry, then {@link parseEvent}. */
export function decodeEvent(text: string): DiscoveryEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EventInvalidError([`(root): not JSON: ${err instanceof Error ? err.message : String(err)}`], err);
  }
  return parseEvent(value);
}

/** The JSON text of an event, as stored in the stream. */
export function encodeEvent(event: DiscoveryEvent): string {
  return JSON.stringify(event);
}

/** A validated event without its `seq`, ready for the publish script (which splices `v` and `seq` in front). */
export interface PreparedEvent {
  readonly event: DiscoveryEvent;
  /** JSON of the event without `v` and `seq`, minus its opening brace: `"id":…,"type":…}`. */
  readonly body: string;
}

/** Fills in `v`, `id`, `at` (and a placeholder `seq`), validates, and renders the body the publish script completes. */
export function prepareEvent(input: DiscoveryEventInput, id: string, now: Date): PreparedEvent {
  const at = input.at === undefined ? now : input.at;
  const candidate = {
    ...input,
    v: EVENT_SCHEMA_VERSION,
    id: input.id ?? id,
    seq: 1,
    at: at instanceof Date ? (Number.isNaN(at.getTime()) ? String(at) : at.toISOString()) : at,
  };
  const event = parseEvent(candidate);
  const { v: _v, seq: _seq, ...rest } = event;
  return { event, body: JSON.stringify(rest).slice(1) };
}
