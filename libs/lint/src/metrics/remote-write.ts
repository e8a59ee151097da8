import { MetricsSendError } from '../errors.ts';

/**
 * Prometheus remote-write 1.0: a `prometheus.WriteRequest` protobuf, snappy block-compressed, POSTed with
 * `Content-Encoding: snappy`. Encoders (and the matching decoders, for tests and local receivers) are
 * written from the protobuf wire format and the snappy format description.
 */

interface Label {
  name: string;
  value: string;
}

interface Sample {
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

export interface TimeSeries {
  labels: Label[];
  samples: Sample[];
}

// ---- protobuf ----

function varint(n: number | bigint, out: number[]): void {
  let v = BigInt.asUintN(64, BigInt(n));
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

function tag(field: number, wire: number, out: number[]): void {
  varint((field << 3) | wire, out);
}

function bytesField(field: number, payload: Uint8Array | number[], out: number[]): void {
  tag(field, 2, out);
  varint(payload.length, out);
  for (const b of payload) out.push(b);
}

const enc = new TextEncoder();

function encodeLabel(l: Label): number[] {
  const out: number[] = [];
  bytesField(1, enc.encode(l.name), out);
  bytesField(2, enc.encode(l.value), out);
  return out;
}

function encodeSample(s: Sample): number[] {
  const out: number[] = [];
  tag(1, 1, out);
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, s.value, true);
  for (let i = 0; i < 8; i++) out.push(buf.getUint8(i));
  tag(2, 0, out);
  varint(BigInt(Math.trunc(s.timestampMs)), out);
  return out;
}

/** Encodes a WriteRequest; labels are sorted by name, as remote-write requires. */
export function encodeWriteRequest(series: TimeSeries[]): Uint8Array {
  const out: number[] = [];
  for (const ts of series) {
    const body: number[] = [];
    for (const l of [...ts.labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
      bytesField(1, encodeLabel(l), body);
    for (const s of ts.samples) bytesField(2, encodeSample(s), body);
    bytesField(1, body, out);
  }
  return Uint8Array.from(out);
}

function readVarint(buf: Uint8Array, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos.i++];
    if (b === undefined) throw new Error('truncated varint');
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

function fields(buf: Uint8Array): Array<{ field: number; wire: number; data: Uint8Array | bigint }> {
  const out: Array<{ field: number; wire: number; data: Uint8Array | bigint }> = [];
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const key = Number(readVarint(buf, pos));
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, data: readVarint(buf, pos) });
    else if (wire === 1) {
      out.push({ field, wire, data: buf.subarray(pos.i, pos.i + 8) });
      pos.i += 8;
    } else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      out.push({ field, wire, data: buf.subarray(pos.i, pos.i + len) });
      pos.i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const dec = new TextDecoder();

/** Decodes a WriteRequest (for tests and local receivers). */
export function decodeWriteRequest(buf: Uint8Array): TimeSeries[] {
  return fields(buf)
    .filter((f) => f.field === 1)
    .map((f) => {
      const ts: TimeSeries = { labels: [], samples: [] };
      for (const g of fields(f.data as Uint8Array)) {
        if (g.field === 1) {
          const l: Label = { name: '', value: '' };
          for (const h of fields(g.data as Uint8Array)) {
            if (h.field === 1) l.name = dec.decode(h.data as Uint8Array);
            if (h.field === 2) l.value = dec.decode(h.data as Uint8Array);
          }
          ts.labels.push(l);
        } else if (g.field === 2) {
          const s: Sample = { value: 0, timestampMs: 0 };
          for (const h of fields(g.data as Uint8Array)) {
            if (h.field === 1) s.value = new DataView((h.data as Uint8Array).slice().buffer).getFloat64(0, true);
            if (h.field === 2) s.timestampMs = Number(BigInt.asIntN(64, h.data as bigint));
          }
          ts.samples.push(s);
        }
      }
      return ts;
    });
}

// ---- snappy (block format) ----

/** Snappy block compression with a greedy hash-table matcher (4-byte matches, copies with 2-byte offsets). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  varint(input.length, out);
  const emitLiteral = (from: number, to: number): void => {
    let start = from;
    while (start < to) {
      const len = Math.min(to - start, 65536);
      const n = len - 1;
      if (n < 60) out.push(n << 2);
      else if (n < 0x100) out.push(60 << 2, n);
      else out.push(61 << 2, n & 0xff, n >> 8);
      for (let i = start; i < start + len; i++) out.push(input[i]!);
      start += len;
    }
  };
  const emitCopy = (offset: number, length: number): void => {
    // Copies with a 2-byte offset carry 1..64 bytes each.
    for (let len = length; len > 0; len -= 64) {
      const chunk = Math.min(len, 64);
      out.push(((chunk - 1) << 2) | 2, offset & 0xff, offset >> 8);
    }
  };
  const table = new Map<number, number>();
  let i = 0;
  let lit = 0;
  while (i + 4 <= input.length) {
    const key = input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24);
    const cand = table.get(key);
    table.set(key, i);
    if (cand !== undefined && i - cand <= 0xffff && i - cand > 0) {
      let len = 4;
      while (i + len < input.length && input[cand + len] === input[i + len] && len < 64 * 1024) len++;
      emitLiteral(lit, i);
      emitCopy(i - cand, len);
      i += len;
      lit = i;
      continue;
    }
    i++;
  }
  emitLiteral(lit, input.length);
  return Uint8Array.from(out);
}

/** Snappy block decompression (for tests and local receivers). */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  const pos = { i: 0 };
  const total = Number(readVarint(input, pos));
  const out = new Uint8Array(total);
  let o = 0;
  while (pos.i < input.length) {
    const t = input[pos.i++]!;
    const kind = t & 3;
    if (kind === 0) {
      let len = t >> 2;
      if (len >= 60) {
        const n = len - 59;
        len = 0;
        for (let k = 0; k < n; k++) len |= input[pos.i++]! << (8 * k);
      }
      len += 1;
      out.set(input.subarray(pos.i, pos.i + len), o);
      pos.i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((t >> 2) & 7) + 4;
      offset = ((t >> 5) << 8) | input[pos.i++]!;
    } else if (kind === 2) {
      len = (t >> 2) + 1;
      offset = input[pos.i]! | (input[pos.i + 1]! << 8);
      pos.i += 2;
    } else {
      len = (t >> 2) + 1;
      offset = input[pos.i]! | (input[pos.i + 1]! << 8) | (input[pos.i + 2]! << 16) | (input[pos.i + 3]! << 24);
      pos.i += 4;
    }
    if (offset === 0 || offset > o) throw new Error('snappy: bad offset');
    for (let k = 0; k < len; k++) out[o + k] = out[o - offset + k]!;
    o += len;
  }
  if (o !== total) throw new Error('snappy: length mismatch');
  return out;
}

export interface SendOptions {
  url: string;
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  token?: string;
  /** @defaultValue 30000 */
  timeoutMs?: number;
  /** @defaultValue 'modsync-lint' */
  userAgent?: string;
}

/** POSTs series to a remote-write endpoint; throws MetricsSendError (with the status, never the token). */
export async function sendRemoteWrite(series: TimeSeries[], opts: SendOptions): Promise<void> {
  const body = snappyCompress(encodeWriteRequest(series));
  const headers: Record<string, string> = {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'User-Agent': opts.userAgent ?? 'modsync-lint',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
  };
  if (opts.token) headers['Authorization'] = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).replaceAll(opts.token || '\u0000', '***');
    throw new MetricsSendError(`remote write to ${redactURL(opts.url)} failed: ${msg}`, undefined);
  }
  if (res.status < 200 || res.status >= 300) {
    const text = (await res.text().catch(() => '')).slice(0, 300).replaceAll(opts.token || '\u0000', '***');
    throw new MetricsSendError(
      `remote write to ${redactURL(opts.url)} failed: HTTP ${res.status}${text ? `: ${text.trim()}` : ''}`,
      res.status,
    );
  }
  await res.body?.cancel().catch(() => undefined);
}

/** The URL without user info or query (which could carry credentials). */
function redactURL(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
