// Pure readers of Redis stream replies as ioredis returns them (RESP2, or RESP3 with the default `legacy` mapping,
// where XREADGROUP's map arrives flat). Anything else is a bug or a wrong server: a TypeError says what was seen.

/** One stream entry: its id and its fields. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** One row of extended XPENDING. */
export interface PendingEntry {
  readonly id: string;
  readonly consumer: string;
  readonly idleMs: number;
  readonly deliveries: number;
}

export interface AutoClaimReply {
  /** Where the next XAUTOCLAIM starts; `0-0` when the scan is complete. */
  readonly cursor: string;
  readonly entries: readonly StreamEntry[];
  /** Pending ids whose entries no longer exist (trimmed); Redis dropped them from the pending list. */
  readonly deletedIds: readonly string[];
}

function text(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number') return String(value);
  throw new TypeError(`unexpected ${what} in a stream reply: ${JSON.stringify(value)}`);
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`unexpected ${what} in a stream reply: ${JSON.stringify(value)}`);
  return value;
}

/** `[id, [field, value, …]]` entries; entries whose body is nil (deleted) are left out. */
export function parseEntries(reply: unknown): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (const raw of list(reply ?? [], 'entry list')) {
    const [id, body] = list(raw, 'entry');
    if (body === null || body === undefined) continue;
    const flat = list(body, 'entry fields');
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[text(flat[i], 'field name')] = text(flat[i + 1], 'field value');
    entries.push({ id: text(id, 'entry id'), fields });
  }
  return entries;
}

/** XREADGROUP over one stream: nil, `[[key, entries]]` (RESP2) or `[key, entries]` (RESP3 map, flattened). */
export function parseReadGroupReply(reply: unknown): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  const outer = list(reply, 'XREADGROUP reply');
  if (outer.length === 0) return [];
  if (Array.isArray(outer[0])) {
    return outer.flatMap((pair) => parseEntries(list(pair, 'stream reply')[1]));
  }
  const entries: StreamEntry[] = [];
  for (let i = 0; i + 1 < outer.length; i += 2) entries.push(...parseEntries(outer[i + 1]));
  return entries;
}

/** XAUTOCLAIM: `[cursor, entries, deletedIds]` (the third element since Redis 7). */
export function parseAutoClaimReply(reply: unknown): AutoClaimReply {
  const [cursor, entries, deleted] = list(reply, 'XAUTOCLAIM reply');
  return {
    cursor: text(cursor, 'cursor'),
    entries: parseEntries(entries),
    deletedIds:
      deleted === undefined || deleted === null ? [] : list(deleted, 'deleted ids').map((id) => text(id, 'deleted id')),
  };
}

/** Extended XPENDING: `[[id, consumer, idleMs, deliveries], …]`. */
export function parsePendingReply(reply: unknown): PendingEntry[] {
  return list(reply ?? [], 'XPENDING reply').map((raw) => {
    const [id, consumer, idle, deliveries] = list(raw, 'pending entry');
    return {
      id: text(id, 'pending id'),
      consumer: text(consumer, 'consumer'),
      idleMs: Number(text(idle, 'idle time')),
      deliveries: Number(text(deliveries, 'delivery count')),
    };
  });
}
