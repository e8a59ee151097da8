import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { BinaryFileError, FileTooLargeError } from '../errors.ts';
import { parseYaml } from './yaml.ts';

/** Files larger than this are not read by rules (they become a finding of the rule that wanted them). */
export const MAX_TEXT_FILE_BYTES = 8 * 1024 * 1024;
/** A walk stops listing after this many entries, so a runaway tree cannot hang the linter. */
export const MAX_WALK_ENTRIES = 200_000;

export interface FileEntry {
  /** Path relative to the walked root, with forward slashes. */
  rel: string;
  abs: string;
  size: number;
  /** The entry itself is a symlink (to a file; symlinked directories are not descended). */
  symlink: boolean;
}

export interface Tree {
  root: string;
  files: FileEntry[];
  /** Relative directory paths (forward slashes), the root excluded. */
  dirs: string[];
  /** Entries that could not be read (broken symlinks, symlink loops, permission errors, non-UTF-8 names), with the reason. */
  unreadable: Array<{ rel: string; reason: string }>;
}

/**
 * Lists a module tree once, for every rule to share: lstat-based, so symlinked directories are not followed
 * (no cycles) and broken symlinks are reported instead of throwing; `.git` is skipped.
 */
export function walkTree(root: string): Tree {
  const tree: Tree = { root, files: [], dirs: [], unreadable: [] };
  let budget = MAX_WALK_ENTRIES;
  const visit = (dirAbs: string, dirRel: string): void => {
    let raw: Buffer[];
    try {
      raw = readdirSync(dirAbs, { encoding: 'buffer' });
    } catch (err) {
      tree.unreadable.push({ rel: dirRel || '.', reason: errorText(err) });
      return;
    }
    const names: string[] = [];
    for (const b of raw) {
      const name = utf8Name(b);
      if (name === undefined)
        tree.unreadable.push({
          rel: dirRel ? `${dirRel}/${b.toString('latin1')}` : b.toString('latin1'),
          reason: 'the file name is not valid UTF-8',
        });
      else names.push(name);
    }
    names.sort();
    for (const name of names) {
      if (--budget < 0) return;
      const abs = join(dirAbs, name);
      const rel = dirRel ? `${dirRel}/${name}` : name;
      let st;
      try {
        st = lstatSync(abs);
      } catch (err) {
        tree.unreadable.push({ rel, reason: errorText(err) });
        continue;
      }
      if (st.isDirectory()) {
        if (name === '.git') continue;
        tree.dirs.push(rel);
        visit(abs, rel);
      } else if (st.isSymbolicLink()) {
        try {
          const target = statSync(abs);
          if (target.isFile()) tree.files.push({ rel, abs, size: target.size, symlink: true });
        } catch (err) {
          tree.unreadable.push({ rel, reason: `broken symlink: ${errorText(err)}` });
        }
      } else if (st.isFile()) {
        tree.files.push({ rel, abs, size: st.size, symlink: false });
      }
    }
  };
  visit(root, '');
  return tree;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A directory entry's name, or undefined when it is not valid UTF-8 (such a name cannot be reported or matched). */
function utf8Name(b: Buffer): string | undefined {
  try {
    return strictUtf8.decode(b);
  } catch {
    return undefined;
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

const textCache = new Map<string, string>();

/**
 * Reads a text file the way rules need it: size-capped, UTF-8 (a UTF-8 BOM is stripped, UTF-16 with a BOM
 * is decoded), and rejected when it holds NUL bytes. Results are cached for the duration of a run.
 */
export function readText(abs: string, limit = MAX_TEXT_FILE_BYTES): string {
  const cached = textCache.get(abs);
  if (cached !== undefined) return cached;
  const size = statSync(abs).size;
  if (size > limit) throw new FileTooLargeError(abs, size, limit);
  const buf = readFileSync(abs);
  const text = decodeText(buf, abs);
  textCache.set(abs, text);
  return text;
}

const yamlCache = new Map<string, { value: unknown } | { error: unknown }>();

/**
 * The first YAML document of the file at `abs` (readText, then parseYaml), parsed once a run: the values schema and
 * two openapi rules read the same files. The value is shared between callers, so it is frozen (a caller that tried to
 * change it would fail loudly); a parse error is thrown again to each caller.
 */
export function readYaml(abs: string): unknown {
  let cached = yamlCache.get(abs);
  if (cached === undefined) {
    const text = readText(abs);
    try {
      cached = { value: deepFreeze(parseYaml(text)) };
    } catch (error) {
      cached = { error };
    }
    yamlCache.set(abs, cached);
  }
  if ('error' in cached) throw cached.error;
  return cached.value;
}

function deepFreeze(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

export function clearTextCache(): void {
  textCache.clear();
  yamlCache.clear();
}

export function decodeText(buf: Buffer, path = '<buffer>'): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  if (buf.subarray(start, Math.min(buf.length, start + 8000)).includes(0)) throw new BinaryFileError(path);
  return new TextDecoder('utf-8').decode(buf.subarray(start));
}

/** Reads a text file, or returns undefined when it does not exist. Other errors propagate. */
export function readTextIfExists(abs: string): string | undefined {
  try {
    return readText(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function exists(abs: string): boolean {
  try {
    statSync(abs);
    return true;
  } catch {
    return false;
  }
}

export function isDir(abs: string): boolean {
  try {
    return statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}

/** Converts an OS path to forward slashes. */
export function toSlash(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export function extname(rel: string): string {
  return posix.extname(rel);
}

export function basename(rel: string): string {
  return posix.basename(rel);
}

export function dirname(rel: string): string {
  return posix.dirname(rel);
}
