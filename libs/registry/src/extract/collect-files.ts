// Read the regular files of image layers into memory (release images: version.json, changelog.yaml, module.yaml),
// applying layers in order with OCI whiteouts. Symlinks are ignored; hardlinks copy their target when it was kept.
import { posix } from 'node:path';
import { RegistryExtractLimitError } from '../errors.ts';
import { type TarEntryType, walkTar } from './tar-walk.ts';

export interface CollectLimits {
  /** Sum of the sizes of the files kept. */
  readonly maxBytes: number;
  /** Size of one kept file. */
  readonly maxFileBytes: number;
  readonly maxEntries: number;
  /** Decompressed bytes of one layer. */
  readonly maxTarBytes: number;
  readonly filter?: ((path: string) => boolean) | undefined;
}

function totalOf(files: ReadonlyMap<string, Buffer>): number {
  let total = 0;
  for (const b of files.values()) total += b.length;
  return total;
}

/** Remove `path` and everything under it (`''` = everything); returns the bytes removed. */
function removeTree(files: Map<string, Buffer>, path: string): number {
  const prefix = path === '' ? '' : `${path}/`;
  let removed = 0;
  for (const [key, value] of [...files]) {
    if (key === path || key.startsWith(prefix)) {
      removed += value.length;
      files.delete(key);
    }
  }
  return removed;
}

/** Apply one layer to `files` (path → content). */
export async function collectLayerFiles(
  source: AsyncIterable<Uint8Array>,
  files: Map<string, Buffer>,
  limits: CollectLimits,
  signal?: AbortSignal,
): Promise<void> {
  const keep = (path: string, type: TarEntryType) => {
    const base = posix.basename(path);
    if (base.startsWith('.wh.')) return true;
    if (type !== 'file' && type !== 'hardlink') return false;
    return limits.filter === undefined || limits.filter(path);
  };
  let total = totalOf(files);
  await walkTar(
    source,
    { maxEntries: limits.maxEntries, maxFileBytes: limits.maxFileBytes, maxTarBytes: limits.maxTarBytes, filter: keep },
    async (entry) => {
      const base = posix.basename(entry.path);
      const dir = posix.dirname(entry.path) === '.' ? '' : posix.dirname(entry.path);
      if (base === '.wh..wh..opq') {
        total -= removeTree(files, dir);
        return;
      }
      if (base.startsWith('.wh.')) {
        const name = base.slice(4);
        total -= removeTree(files, dir === '' ? name : `${dir}/${name}`);
        return;
      }
      let content: Buffer;
      if (entry.type === 'hardlink') {
        const target = files.get(posix.normalize(entry.linkpath ?? '').replace(/^(?:\.\/)+/, ''));
        if (target === undefined) return;
        content = target;
      } else {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of entry.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > limits.maxFileBytes) {
            throw new RegistryExtractLimitError(
              `image file ${JSON.stringify(entry.path)} is larger than ${limits.maxFileBytes} bytes`,
              {
                limit: 'maxFileBytes',
                max: limits.maxFileBytes,
              },
            );
          }
          chunks.push(chunk);
        }
        content = Buffer.concat(chunks, size);
      }
      const previous = files.get(entry.path)?.length ?? 0;
      if (total - previous + content.length > limits.maxBytes) {
        throw new RegistryExtractLimitError(`image files add up to more than ${limits.maxBytes} bytes`, {
          limit: 'maxTotalBytes',
          max: limits.maxBytes,
        });
      }
      files.set(entry.path, content);
      total += content.length - previous;
    },
    signal,
  );
}
