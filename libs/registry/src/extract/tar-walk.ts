// Walk a tar / tar.gz / tar.zst stream entry by entry with limits. Compression is sniffed from the bytes, decompressed
// here with a byte budget (gzip-bomb safe), then parsed by `tar`'s Parser; entries are handed out one at a time. On
// success the source has been read to its end, so a digest verifier upstream has run; on failure reading stops.
import { once } from 'node:events';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { RegistryBadArchiveError, RegistryExtractLimitError, RegistryUnsafeArchiveError } from '../errors.ts';

export interface TarWalkLimits {
  /** Entries of any kind, skipped ones included. */
  readonly maxEntries: number;
  /** Size of one file. */
  readonly maxFileBytes: number;
  /** Decompressed tar stream, headers and padding included (the gzip-bomb guard). */
  readonly maxTarBytes: number;
  /** Entries for which this returns false are skipped (and not size-checked). */
  readonly filter?: ((path: string, type: TarEntryType) => boolean) | undefined;
}

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Normalised relative path: no leading `./` or trailing `/`, no `.` or `..` segments. */
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly mode: number;
  /** Raw link target of a symlink or hardlink. */
  readonly linkpath: string | undefined;
  /** The entry body; the handler must consume it (or call `resume()`). */
  readonly body: ReadEntry;
}

export interface TarWalkResult {
  readonly entries: number;
  readonly tarBytes: number;
}

/** Why a path is unsafe, or undefined when it is fine. Table-tested. */
export function unsafePathReason(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\')) return 'is absolute';
  if (path.split(/[\\/]/).includes('..')) return 'contains ".."';
  return undefined;
}

/** `./a//b/` → `a/b`; `./` → `` (the root). Call after `unsafePathReason`. */
export function normalizeEntryPath(path: string): string {
  const normalized = posix
    .normalize(path)
    .replace(/^(?:\.\/)+/, '')
    .replace(/\/+$/, '');
  return normalized === '.' ? '' : normalized;
}

function typeOf(entry: ReadEntry): TarEntryType {
  switch (entry.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
    case 'GNUDumpDir':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    default:
      return 'other';
  }
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const startsWith = (head: Buffer, magic: number[]) => magic.every((b, i) => head[i] === b);

/** The source, decompressed when it starts with gzip or zstd magic bytes. */
async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let head = Buffer.alloc(0);
    let done = false;
    while (head.length < 4 && !done) {
      const r = await iterator.next();
      if (r.done === true) done = true;
      else head = Buffer.concat([head, r.value]);
    }
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      while (!done) {
        const r = await iterator.next();
        if (r.done === true) return;
        yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      }
    };
    if (!startsWith(head, GZIP) && !startsWith(head, ZSTD)) {
      yield* rest();
      return;
    }
    const inflate = startsWith(head, GZIP) ? createGunzip() : createZstdDecompress();
    const input = Readable.from(rest());
    input.on('error', (err) => inflate.destroy(err));
    input.pipe(inflate);
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('Z_')) {
        throw new RegistryBadArchiveError(`corrupt compressed layer: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    } finally {
      input.destroy();
      inflate.destroy();
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Walk `source`, calling `onEntry` for each entry in order (awaited before the next). Paths are validated here;
 * unsafe paths, limits and corrupt archives reject with typed errors. Resolves after the whole source was read.
 */
export async function walkTar(
  source: AsyncIterable<Uint8Array>,
  limits: TarWalkLimits,
  onEntry: (entry: TarEntry) => Promise<void>,
  signal?: AbortSignal,
): Promise<TarWalkResult> {
  const parser = new Parser({ strict: false, brotli: false, zstd: false, maxMetaEntrySize: 1024 * 1024 });
  let failure: unknown;
  let signalFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => {
    signalFailure = resolve;
  });
  const fail = (err: unknown) => {
    if (failure !== undefined) return;
    failure = err;
    signalFailure();
  };
  let entries = 0;
  let chain: Promise<void> = Promise.resolve();

  parser.on('entry', (entry: ReadEntry) => {
    if (failure !== undefined) {
      entry.resume();
      return;
    }
    entries++;
    if (entries > limits.maxEntries) {
      entry.resume();
      fail(
        new RegistryExtractLimitError(`archive has more than ${limits.maxEntries} entries`, {
          limit: 'maxEntries',
          max: limits.maxEntries,
        }),
      );
      return;
    }
    const reason = unsafePathReason(entry.path);
    if (reason !== undefined) {
      entry.resume();
      fail(
        new RegistryUnsafeArchiveError(`archive entry ${JSON.stringify(entry.path)} ${reason}`, {
          entryPath: entry.path,
        }),
      );
      return;
    }
    const type = typeOf(entry);
    const path = normalizeEntryPath(entry.path);
    if (type === 'other' || (limits.filter !== undefined && !limits.filter(path, type))) {
      entry.resume();
      return;
    }
    if (type === 'file' && entry.size > limits.maxFileBytes) {
      entry.resume();
      fail(
        new RegistryExtractLimitError(
          `archive entry ${JSON.stringify(entry.path)} is larger than ${limits.maxFileBytes} bytes`,
          {
            limit: 'maxFileBytes',
            max: limits.maxFileBytes,
          },
        ),
      );
      return;
    }
    const info: TarEntry = {
      path,
      type,
      size: entry.size,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      linkpath: entry.linkpath,
      body: entry,
    };
    chain = chain.then(async () => {
      if (failure !== undefined) {
        entry.resume();
        return;
      }
      try {
        await onEntry(info);
      } catch (err) {
        fail(err);
      } finally {
        // Whatever the handler left unread is drained so the parser moves on.
        entry.resume();
      }
    });
  });
  parser.on('warn', (code: string, message: string) => {
    // Unknown entry types and the like are fine; damage is not.
    if (
      code === 'TAR_ENTRY_INVALID' ||
      code === 'TAR_BAD_ARCHIVE' ||
      code === 'TAR_ABORT' ||
      code === 'TAR_ENTRY_ERROR'
    ) {
      fail(new RegistryBadArchiveError(`not a readable tar archive: ${message}`));
    }
  });
  parser.on('error', (err: Error) =>
    fail(new RegistryBadArchiveError(`not a readable tar archive: ${err.message}`, { cause: err })),
  );

  let tarBytes = 0;
  let sawNonZero = false;
  try {
    for await (const chunk of decompressed(source)) {
      signal?.throwIfAborted();
      tarBytes += chunk.length;
      if (tarBytes > limits.maxTarBytes) {
        throw new RegistryExtractLimitError(`decompressed archive is larger than ${limits.maxTarBytes} bytes`, {
          limit: 'maxTarBytes',
          max: limits.maxTarBytes,
        });
      }
      if (failure !== undefined) break;
      if (!sawNonZero && chunk.some((b) => b !== 0)) sawNonZero = true;
      if (!parser.write(chunk)) {
        await Promise.race([once(parser, 'drain'), failed]);
      }
    }
    if (failure === undefined) {
      const ended = once(parser, 'end');
      parser.end();
      await Promise.race([ended, failed]);
    }
    await chain;
  } catch (err) {
    fail(err);
  }
  // An empty layer (no bytes, or only zero blocks) is a valid, empty archive.
  if (failure instanceof RegistryBadArchiveError && !sawNonZero && entries === 0) failure = undefined;
  if (failure !== undefined) throw failure;
  return { entries, tarBytes };
}
