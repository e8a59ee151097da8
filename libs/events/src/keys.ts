// Every Redis key of @modsync/events is built here (style.md, "For modsync" 10). The prefix is wrapped in a hash tag
// (`{prefix}`) so the stream, the sequence hash and the dead-letter streams share one Redis Cluster slot: the publish
// script and the dead-letter transaction touch two of them at once.

/** @defaultValue of every `prefix` option. */
export const DEFAULT_EVENTS_PREFIX = 'modsync:events';

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A prefix is 1–100 characters of `A-Za-z0-9._:-` (no braces: it becomes the hash tag). */
export function isValidPrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

/** A consumer-group name is 1–128 characters of `A-Za-z0-9._:-` (it is part of the dead-letter key). */
export function isValidGroupName(group: string): boolean {
  return GROUP.test(group);
}

export interface EventKeys {
  /** The discovery event stream (XADD, XREADGROUP). */
  readonly stream: string;
  /** Hash `<source>/<module>` → last `seq` given out. */
  readonly seq: string;
  /** The dead-letter stream of one consumer group. */
  deadLetter(group: string): string;
}

/** The keys under `prefix` (validate it with {@link isValidPrefix} first). */
export function eventKeys(prefix: string = DEFAULT_EVENTS_PREFIX): EventKeys {
  const tag = `{${prefix}}`;
  return Object.freeze({
    stream: `${tag}:discovery`,
    seq: `${tag}:seq`,
    deadLetter: (group: string) => `${tag}:dead-letter:${group}`,
  });
}

/** The field of the `seq` hash for one module of one source. */
export function seqField(source: string, module: string): string {
  return `${source}/${module}`;
}
