// Pure helpers for consumers that collapse duplicates and drop stale events. `seq` is strictly increasing per
// (source, module), so the event with the larger `seq` is the newer state of that module on that source.
import type { DiscoveryEvent } from './schema.ts';

/** The identity events are ordered within. */
export type EventSubject = Pick<DiscoveryEvent, 'source' | 'module'>;

/** `<source>/<module>`: one key per module on one source (neither name can hold a `/`). */
export function eventKey(subject: EventSubject): string {
  return `${subject.source}/${subject.module}`;
}

/**
 * True when `a` supersedes `b`: same source and module, and a larger `seq`. False for a duplicate (same `seq`), an older
 * event, or events about different modules (neither supersedes the other).
 */
export function isNewer(
  a: Pick<DiscoveryEvent, 'source' | 'module' | 'seq'>,
  b: Pick<DiscoveryEvent, 'source' | 'module' | 'seq'>,
): boolean {
  return a.source === b.source && a.module === b.module && a.seq > b.seq;
}

/**
 * The newest event of each (source, module), ordered by source then module. Applying only these gives the same result
 * as applying every event in order: each carries the full state of its module.
 */
export function latestPerModule<T extends Pick<DiscoveryEvent, 'source' | 'module' | 'seq'>>(events: Iterable<T>): T[] {
  const latest = new Map<string, T>();
  for (const event of events) {
    const key = eventKey(event);
    const current = latest.get(key);
    if (current === undefined || isNewer(event, current)) latest.set(key, event);
  }
  return [...latest.values()].sort((x, y) => compareText(x.source, y.source) || compareText(x.module, y.module));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
