// Extract one tar / tar.gz / tar.zst layer into a directory, safely:
// - paths: no absolute paths, no `..`, never written through a symlink (each parent is lstat-checked once);
// - symlinks: absolute targets rejected; every link, followed through the links known so far (those already in
//   destDir included), must stay inside destDir, re-checked whenever a link is added, before it is created;
// - hardlinks: target must be a regular file already extracted, reached without crossing a symlink;
// - devices and FIFOs are skipped; modes keep only permission bits; owners are not changed;
// - limits on entries, file size, total size, decompressed size (gzip bombs) and link count;
// - OCI whiteouts (`.wh.<name>`, `.wh..wh..opq`) delete what earlier layers wrote.
// On failure destDir holds a partial tree: extract into a fresh directory and remove it on error.
import { link, lstat, mkdir, open, readdir, readlink, rm, symlink, chmod } from 'node:fs/promises';
import { join, posix, relative, resolve } from 'node:path';
import { RegistryExtractLimitError, RegistryInvalidOptionError, RegistryUnsafeArchiveError } from '../errors.ts';
import { type TarEntry, type TarEntryType, unsafePathReason, normalizeEntryPath, walkTar } from './tar-walk.ts';

export interface ExtractLimits {
  /** Entries of any kind. @defaultValue 10_000 */
  maxEntries?: number;
  /** Size of one file. @defaultValue 67_108_864 (64 MiB) */
  maxFileBytes?: number;
  /** Sum of the sizes of the files written. @defaultValue 536_870_912 (512 MiB) */
  maxTotalBytes?: number;
  /** Decompressed tar stream (headers and padding included): the gzip-bomb guard. @defaultValue maxTotalBytes + 1 KiB per entry + 1 MiB */
  maxTarBytes?: number;
  /** Symlinks. @defaultValue 1_000 */
  maxLinks?: number;
  /** Keep only entries for which this returns true. @defaultValue keep all */
  filter?: (path: string, type: TarEntryType) => boolean;
  signal?: AbortSignal;
}

export interface ExtractResult {
  readonly entries: number;
  readonly files: number;
  /** Bytes of the files written. */
  readonly bytes: number;
  /** Decompressed tar bytes read. */
  readonly tarBytes: number;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
const MAX_LINK_HOPS = 40;

function positiveInteger(limits: Record<string, unknown>, name: string, fallback: number): number {
  const value = limits[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RegistryInvalidOptionError(`invalid extraction limit "${name}": must be a positive integer`, {
      option: name,
    });
  }
  return value;
}

interface ResolvedExtractLimits {
  readonly maxEntries: number;
  readonly maxFileBytes: number;
  readonly maxTotalBytes: number;
  readonly maxTarBytes: number;
  readonly maxLinks: number;
}

function resolveExtractLimits(limits: ExtractLimits, defaults?: Partial<ResolvedExtractLimits>): ResolvedExtractLimits {
  const known = new Set(['maxEntries', 'maxFileBytes', 'maxTotalBytes', 'maxTarBytes', 'maxLinks', 'filter', 'signal']);
  for (const key of Object.keys(limits)) {
    if (!known.has(key)) throw new RegistryInvalidOptionError(`unknown extraction limit "${key}"`, { option: key });
  }
  const record = limits as Record<string, unknown>;
  const maxEntries = positiveInteger(record, 'maxEntries', defaults?.maxEntries ?? 10_000);
  const maxTotalBytes = positiveInteger(record, 'maxTotalBytes', defaults?.maxTotalBytes ?? 512 * 1024 * 1024);
  const maxFileBytes = positiveInteger(
    record,
    'maxFileBytes',
    defaults?.maxFileBytes ?? Math.min(64 * 1024 * 1024, maxTotalBytes),
  );
  const maxTarBytes = positiveInteger(
    record,
    'maxTarBytes',
    defaults?.maxTarBytes ?? maxTotalBytes + maxEntries * 1024 + 1024 * 1024,
  );
  const maxLinks = positiveInteger(record, 'maxLinks', defaults?.maxLinks ?? 1_000);
  if (limits.filter !== undefined && typeof limits.filter !== 'function') {
    throw new RegistryInvalidOptionError('invalid extraction option "filter": must be a function', {
      option: 'filter',
    });
  }
  return { maxEntries, maxFileBytes, maxTotalBytes, maxTarBytes, maxLinks };
}

/**
 * Follow `path` through the symlinks in `links` (relative path → raw target) without touching the disk.
 * Returns the resolved relative path, or undefined when it leaves the root or loops.
 */
export function resolveInside(links: ReadonlyMap<string, string>, path: string): string | undefined {
  const out: string[] = [];
  const pending = path.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
    const target = links.get(out.join('/'));
    if (target !== undefined) {
      if (++hops > MAX_LINK_HOPS || target.startsWith('/')) return undefined;
      out.pop();
      pending.unshift(...target.split('/'));
    }
  }
  return out.join('/');
}

function isErrno(err: unknown, code: string): boolean {
  return (err as { code?: unknown } | null)?.code === code;
}

class LayerWriter {
  readonly #root: string;
  readonly #limits: ResolvedExtractLimits;
  readonly #links = new Map<string, string>();
  readonly #dirs = new Set<string>(['']);
  files = 0;
  bytes = 0;

  constructor(root: string, limits: ResolvedExtractLimits) {
    this.#root = root;
    this.#limits = limits;
  }

  /** Symlinks already in destDir take part in the escape check. */
  async seed(): Promise<void> {
    const dirents = await readdir(this.#root, { recursive: true, withFileTypes: true });
    for (const d of dirents) {
      if (!d.isSymbolicLink()) continue;
      const abs = join(d.parentPath, d.name);
      this.#links.set(relative(this.#root, abs).split('\\').join('/'), await readlink(abs));
    }
  }

  #unsafe(path: string, why: string): RegistryUnsafeArchiveError {
    return new RegistryUnsafeArchiveError(`archive entry ${JSON.stringify(path)} ${why}`, { entryPath: path });
  }

  #abs(rel: string): string {
    return rel === '' ? this.#root : join(this.#root, ...rel.split('/'));
  }

  /** Make every ancestor of `rel` a real directory (never a symlink). */
  async #parents(rel: string): Promise<void> {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.#dirs.has(dir)) continue;
      if (this.#links.has(dir)) throw this.#unsafe(rel, `would be written through the symlink ${JSON.stringify(dir)}`);
      const abs = this.#abs(dir);
      try {
        const st = await lstat(abs);
        if (st.isSymbolicLink()) throw this.#unsafe(rel, `would be written through the symlink ${JSON.stringify(dir)}`);
        if (!st.isDirectory()) {
          await this.#remove(dir);
          await mkdir(abs, { mode: 0o755 });
        }
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        await mkdir(abs, { mode: 0o755 });
      }
      this.#dirs.add(dir);
    }
  }

  /** Remove whatever is at `rel` (a symlink is removed, not followed). */
  async #remove(rel: string): Promise<void> {
    await rm(this.#abs(rel), { recursive: true, force: true });
    const prefix = `${rel}/`;
    for (const key of [...this.#links.keys()]) if (key === rel || key.startsWith(prefix)) this.#links.delete(key);
    for (const key of [...this.#dirs]) if (key === rel || key.startsWith(prefix)) this.#dirs.delete(key);
  }

  async #exists(rel: string): Promise<boolean> {
    try {
      await lstat(this.#abs(rel));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async write(entry: TarEntry): Promise<void> {
    const rel = entry.path;
    if (rel === '') return;
    const base = posix.basename(rel);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      await this.#whiteout(rel, base);
      return;
    }
    switch (entry.type) {
      case 'directory':
        return this.#directory(rel, entry.mode);
      case 'file':
        return this.#file(entry);
      case 'symlink':
        return this.#symlink(rel, entry.linkpath ?? '');
      case 'hardlink':
        return this.#hardlink(rel, entry.linkpath ?? '');
      default:
        return;
    }
  }

  async #whiteout(rel: string, base: string): Promise<void> {
    await this.#parents(rel);
    const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
    if (base === OPAQUE_WHITEOUT) {
      const abs = this.#abs(dir);
      for (const name of await readdir(abs)) await this.#remove(dir === '' ? name : `${dir}/${name}`);
      return;
    }
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') throw this.#unsafe(rel, 'is an invalid whiteout');
    await this.#remove(dir === '' ? name : `${dir}/${name}`);
  }

  async #directory(rel: string, mode: number): Promise<void> {
    await this.#parents(rel);
    const abs = this.#abs(rel);
    const dirMode = (mode & 0o777) | 0o700;
    if (this.#links.has(rel) || (await this.#exists(rel))) {
      const st = await lstat(abs);
      if (st.isDirectory()) {
        await chmod(abs, dirMode);
        this.#dirs.add(rel);
        return;
      }
      await this.#remove(rel);
    }
    await mkdir(abs, { mode: dirMode });
    this.#dirs.add(rel);
  }

  async #file(entry: TarEntry): Promise<void> {
    const rel = entry.path;
    if (this.bytes + entry.size > this.#limits.maxTotalBytes) {
      throw new RegistryExtractLimitError(`archive files add up to more than ${this.#limits.maxTotalBytes} bytes`, {
        limit: 'maxTotalBytes',
        max: this.#limits.maxTotalBytes,
      });
    }
    await this.#parents(rel);
    if (await this.#exists(rel)) await this.#remove(rel);
    // O_EXCL: never follows a symlink that might have appeared at this path.
    const handle = await open(this.#abs(rel), 'wx', (entry.mode & 0o777) | 0o600);
    let written = 0;
    try {
      for await (const chunk of entry.body as AsyncIterable<Buffer>) {
        written += chunk.length;
        if (written > this.#limits.maxFileBytes) {
          throw new RegistryExtractLimitError(
            `archive entry ${JSON.stringify(rel)} is larger than ${this.#limits.maxFileBytes} bytes`,
            {
              limit: 'maxFileBytes',
              max: this.#limits.maxFileBytes,
            },
          );
        }
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    this.files++;
    this.bytes += written;
  }

  async #symlink(rel: string, target: string): Promise<void> {
    if (target === '' || target.includes('\0')) throw this.#unsafe(rel, 'is a symlink without a valid target');
    if (target.startsWith('/')) throw this.#unsafe(rel, `is a symlink to the absolute path ${JSON.stringify(target)}`);
    const parent = posix.dirname(rel);
    if (posix.normalize(posix.join(parent, target)).split('/')[0] === '..') {
      throw this.#unsafe(rel, `is a symlink pointing outside the destination (${JSON.stringify(target)})`);
    }
    if (!this.#links.has(rel) && this.#links.size >= this.#limits.maxLinks) {
      throw new RegistryExtractLimitError(`archive has more than ${this.#limits.maxLinks} symlinks`, {
        limit: 'maxLinks',
        max: this.#limits.maxLinks,
      });
    }
    await this.#parents(rel);
    if (await this.#exists(rel)) await this.#remove(rel);
    // Check every link as it would resolve with this one added, before anything is created on disk.
    this.#links.set(rel, target);
    for (const path of this.#links.keys()) {
      if (resolveInside(this.#links, path) === undefined) {
        this.#links.delete(rel);
        throw this.#unsafe(rel, `is a symlink that makes ${JSON.stringify(path)} resolve outside the destination`);
      }
    }
    await symlink(target, this.#abs(rel));
  }

  async #hardlink(rel: string, linkpath: string): Promise<void> {
    const reason = unsafePathReason(linkpath);
    if (reason !== undefined) throw this.#unsafe(rel, `is a hardlink whose target ${reason}`);
    const target = normalizeEntryPath(linkpath);
    const parts = target.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (this.#links.has(parts.slice(0, i).join('/'))) throw this.#unsafe(rel, 'is a hardlink through a symlink');
    }
    let isFile = false;
    try {
      isFile = (await lstat(this.#abs(target))).isFile();
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (!isFile || target === rel)
      throw this.#unsafe(rel, `is a hardlink to ${JSON.stringify(target)}, not a file extracted before it`);
    await this.#parents(rel);
    if (await this.#exists(rel)) await this.#remove(rel);
    await link(this.#abs(target), this.#abs(rel));
    this.files++;
  }
}

/**
 * Extract a layer stream (tar, tar+gzip or tar+zstd, sniffed) into `destDir` (created if missing), with limits.
 * Rejects with RegistryUnsafeArchiveError, RegistryExtractLimitError, RegistryBadArchiveError, or the source's error
 * (e.g. RegistryDigestMismatchError from getBlob, seen only after the whole blob was read).
 */
export async function extractLayer(
  stream: AsyncIterable<Uint8Array>,
  destDir: string,
  limits: ExtractLimits = {},
): Promise<ExtractResult> {
  const resolved = resolveExtractLimits(limits);
  const root = resolve(destDir);
  await mkdir(root, { recursive: true });
  const writer = new LayerWriter(root, resolved);
  await writer.seed();
  const result = await walkTar(
    stream,
    {
      maxEntries: resolved.maxEntries,
      maxFileBytes: resolved.maxFileBytes,
      maxTarBytes: resolved.maxTarBytes,
      filter: limits.filter,
    },
    (entry) => writer.write(entry),
    limits.signal,
  );
  return { entries: result.entries, files: writer.files, bytes: writer.bytes, tarBytes: result.tarBytes };
}
