import { mkdtemp, readFile, readlink, rm, stat, lstat, symlink, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryBadArchiveError, RegistryExtractLimitError, RegistryUnsafeArchiveError } from '../errors.ts';
import { craftTar, type CraftedEntry } from '../test-support/tar.ts';
import { collectLayerFiles } from './collect-files.ts';
import { extractLayer, resolveInside } from './extract-layer.ts';
import { normalizeEntryPath, unsafePathReason } from './tar-walk.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modsync-extract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const source = (bytes: Buffer, chunk = 777) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );
const dest = () => join(dir, 'out');

describe('path rules', () => {
  it.each([
    ['a/b.txt', undefined],
    ['./a/b', undefined],
    ['a/..b/c', undefined],
    ['/etc/passwd', 'is absolute'],
    ['C:\\x', 'is absolute'],
    ['../x', 'contains ".."'],
    ['a/../../x', 'contains ".."'],
    ['a/..', 'contains ".."'],
    ['a\\..\\x', 'contains ".."'],
    ['a\0b', 'contains a NUL byte'],
  ])('unsafePathReason(%j) = %s', (path, want) => {
    expect(unsafePathReason(path)).toBe(want);
  });

  it.each([
    ['./a/b/', 'a/b'],
    ['a//b', 'a/b'],
    ['./', ''],
    ['.', ''],
    ['././x', 'x'],
  ])('normalizeEntryPath(%j) = %j', (path, want) => {
    expect(normalizeEntryPath(path)).toBe(want);
  });

  it.each([
    { links: {}, path: 'a/b', want: 'a/b' },
    { links: { l: 'sub' }, path: 'l/x', want: 'sub/x' },
    { links: { l: '..' }, path: 'l', want: undefined },
    { links: { 'sub/l': '..' }, path: 'sub/l', want: '' },
    { links: { 'sub/y': '..', x: 'sub/y/..' }, path: 'x', want: undefined },
    { links: { a: 'b', b: 'a' }, path: 'a', want: undefined },
    { links: { l: '/etc' }, path: 'l', want: undefined },
    { links: { 'd/l': '../e/f' }, path: 'd/l', want: 'e/f' },
  ])('resolveInside($links, $path) = $want', ({ links, path, want }) => {
    expect(resolveInside(new Map(Object.entries(links)), path)).toBe(want);
  });
});

describe('extractLayer', () => {
  const good: CraftedEntry[] = [
    { path: './', type: 'Directory' },
    { path: './openapi/', type: 'Directory' },
    { path: './openapi/values.yaml', body: 'a: 1\n' },
    { path: 'module.yaml', body: 'name: module-one\nweight: 900\n', mode: 0o4755 },
    { path: 'templates/cm.yaml', body: 'kind: ConfigMap\n' },
    { path: 'link-to-values', type: 'SymbolicLink', linkpath: 'openapi/values.yaml' },
    { path: 'hard', type: 'Link', linkpath: './module.yaml' },
    { path: 'dev/null', type: 'CharacterDevice' },
  ];

  it.each([
    ['tar', (b: Buffer) => b],
    ['tar+gzip', (b: Buffer) => gzipSync(b)],
    ['tar+zstd', (b: Buffer) => zstdCompressSync(b)],
  ])('extracts a %s layer', async (_name, compress) => {
    const result = await extractLayer(source(compress(craftTar(good))), dest());
    expect(await readFile(join(dest(), 'openapi/values.yaml'), 'utf8')).toBe('a: 1\n');
    expect(await readFile(join(dest(), 'module.yaml'), 'utf8')).toContain('module-one');
    expect(await readFile(join(dest(), 'templates/cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
    expect(await readlink(join(dest(), 'link-to-values'))).toBe('openapi/values.yaml');
    expect((await stat(join(dest(), 'hard'))).nlink).toBe(2);
    expect((await stat(join(dest(), 'module.yaml'))).mode & 0o7777).toBe(0o755);
    await expect(lstat(join(dest(), 'dev/null'))).rejects.toThrow();
    expect(result).toMatchObject({ entries: 8, files: 4 }); // the root './' and the device count as entries
    expect(result.bytes).toBe(5 + 29 + 16);
  });

  it.each([
    { name: 'parent traversal', entries: [{ path: '../evil', body: 'x' }], message: 'contains ".."' },
    { name: 'inner traversal', entries: [{ path: 'a/../../evil', body: 'x' }], message: 'contains ".."' },
    { name: 'absolute path', entries: [{ path: '/etc/evil', body: 'x' }], message: 'is absolute' },
    {
      name: 'absolute symlink',
      entries: [{ path: 'l', type: 'SymbolicLink' as const, linkpath: '/etc/passwd' }],
      message: 'absolute path',
    },
    {
      name: 'symlink outside',
      entries: [{ path: 'a/l', type: 'SymbolicLink' as const, linkpath: '../../etc' }],
      message: 'outside the destination',
    },
    {
      name: 'write through a symlink',
      entries: [
        { path: 'sub/', type: 'Directory' as const },
        { path: 'l', type: 'SymbolicLink' as const, linkpath: 'sub' },
        { path: 'l/x', body: 'x' },
      ],
      message: 'written through the symlink "l"',
    },
    {
      name: 'chained symlinks escaping',
      entries: [
        { path: 'sub/', type: 'Directory' as const },
        { path: 'x', type: 'SymbolicLink' as const, linkpath: 'sub/y/..' },
        { path: 'sub/y', type: 'SymbolicLink' as const, linkpath: '..' },
      ],
      message: 'makes "x" resolve outside',
    },
    {
      name: 'hardlink outside',
      entries: [{ path: 'h', type: 'Link' as const, linkpath: '../../etc/passwd' }],
      message: 'hardlink whose target contains ".."',
    },
    {
      name: 'hardlink absolute',
      entries: [{ path: 'h', type: 'Link' as const, linkpath: '/etc/passwd' }],
      message: 'hardlink whose target is absolute',
    },
    {
      name: 'hardlink to nothing',
      entries: [{ path: 'h', type: 'Link' as const, linkpath: 'missing' }],
      message: 'not a file extracted before it',
    },
    {
      name: 'hardlink through a symlink',
      entries: [
        { path: 'l', type: 'SymbolicLink' as const, linkpath: '.' },
        { path: 'f', body: 'x' },
        { path: 'h', type: 'Link' as const, linkpath: 'l/f' },
      ],
      message: 'hardlink through a symlink',
    },
  ])('rejects $name', async ({ entries, message }) => {
    const err = await extractLayer(source(craftTar(entries)), dest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnsafeArchiveError);
    expect((err as Error).message).toContain(message);
    await expect(stat(join(dir, 'evil'))).rejects.toThrow();
  });

  it('rejects a symlink that would escape through a link already in destDir', async () => {
    await mkdir(join(dest(), 'sub'), { recursive: true });
    await symlink('..', join(dest(), 'sub/up'));
    const err = await extractLayer(
      source(craftTar([{ path: 'x', type: 'SymbolicLink', linkpath: 'sub/up/..' }])),
      dest(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnsafeArchiveError);
  });

  it('replaces a symlink planted at a file path instead of writing through it', async () => {
    await mkdir(dest(), { recursive: true });
    await writeFile(join(dir, 'victim'), 'keep');
    const err = await extractLayer(
      source(craftTar([{ path: 'f', type: 'SymbolicLink', linkpath: '../victim' }])),
      dest(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnsafeArchiveError);
    await symlink('../victim', join(dest(), 'f'));
    await extractLayer(source(craftTar([{ path: 'f', body: 'new' }])), dest());
    expect(await readFile(join(dir, 'victim'), 'utf8')).toBe('keep');
    expect(await readFile(join(dest(), 'f'), 'utf8')).toBe('new');
  });

  it.each([
    {
      name: 'maxEntries',
      limits: { maxEntries: 2 },
      entries: [
        { path: 'a', body: '1' },
        { path: 'b', body: '2' },
        { path: 'c', body: '3' },
      ],
    },
    { name: 'maxFileBytes', limits: { maxFileBytes: 10 }, entries: [{ path: 'big', body: 'x'.repeat(11) }] },
    {
      name: 'maxTotalBytes',
      limits: { maxTotalBytes: 10 },
      entries: [
        { path: 'a', body: 'x'.repeat(6) },
        { path: 'b', body: 'x'.repeat(6) },
      ],
    },
    {
      name: 'maxLinks',
      limits: { maxLinks: 1 },
      entries: [
        { path: 'a', type: 'SymbolicLink' as const, linkpath: 'x' },
        { path: 'b', type: 'SymbolicLink' as const, linkpath: 'x' },
      ],
    },
  ])('enforces $name', async ({ name, limits, entries }) => {
    const err = await extractLayer(source(craftTar(entries)), dest(), limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryExtractLimitError);
    expect((err as RegistryExtractLimitError).limit).toBe(name);
  });

  it('stops a gzip bomb at maxTarBytes without inflating it', async () => {
    // 1 GiB of zeros in ~1 MB: a header announcing a 1 GiB file, then 64 gzip members of 16 MiB of zeros each.
    const zeros = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const bomb = Buffer.concat([
      gzipSync(craftTar([{ path: 'zeros', size: 2 ** 30 }])),
      ...Array.from({ length: 64 }, () => zeros),
    ]);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    let read = 0;
    const counted = Readable.from(
      (async function* () {
        for (let i = 0; i < bomb.length; i += 4096) {
          read += Math.min(4096, bomb.length - i);
          yield bomb.subarray(i, i + 4096);
        }
      })(),
    );
    const limits = { maxTarBytes: 1024 * 1024, maxFileBytes: 2 ** 31, maxTotalBytes: 2 ** 31 };
    const err = await extractLayer(counted, dest(), limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryExtractLimitError);
    expect((err as RegistryExtractLimitError).limit).toBe('maxTarBytes');
    expect(read).toBeLessThan(bomb.length / 4);
  });

  it.each([
    ['random bytes', Buffer.from('this is not a tar archive at all, not even close'.repeat(20))],
    [
      'corrupt gzip',
      Buffer.concat([gzipSync(craftTar([{ path: 'a', body: 'x' }])).subarray(0, 30), Buffer.alloc(10, 7)]),
    ],
    ['truncated tar', craftTar([{ path: 'a', body: 'x'.repeat(2000) }]).subarray(0, 1024)],
  ])('rejects %s as a bad archive', async (_name, bytes) => {
    await expect(extractLayer(source(bytes), dest())).rejects.toBeInstanceOf(RegistryBadArchiveError);
  });

  it.each([
    ['an empty stream', Buffer.alloc(0)],
    ['an empty tar', Buffer.alloc(1024)],
    ['an empty tar.gz', gzipSync(Buffer.alloc(1024))],
  ])('accepts %s', async (_name, bytes) => {
    await expect(extractLayer(source(bytes), dest())).resolves.toMatchObject({ entries: 0, files: 0 });
  });

  it('applies whiteouts of a later layer', async () => {
    await extractLayer(
      source(
        craftTar([
          { path: 'a/x', body: '1' },
          { path: 'a/y', body: '2' },
          { path: 'b/z', body: '3' },
          { path: 'c', body: '4' },
        ]),
      ),
      dest(),
    );
    await extractLayer(
      source(
        craftTar([
          { path: 'a/.wh..wh..opq', body: '' },
          { path: 'b/.wh.z', body: '' },
          { path: '.wh.c', body: '' },
        ]),
      ),
      dest(),
    );
    await expect(stat(join(dest(), 'a/x'))).rejects.toThrow();
    await expect(stat(join(dest(), 'b/z'))).rejects.toThrow();
    await expect(stat(join(dest(), 'c'))).rejects.toThrow();
    expect((await stat(join(dest(), 'a'))).isDirectory()).toBe(true);
  });

  it('honours a filter', async () => {
    const result = await extractLayer(source(craftTar(good)), dest(), { filter: (p) => !p.startsWith('templates') });
    await expect(stat(join(dest(), 'templates'))).rejects.toThrow();
    expect(result.files).toBe(3);
  });

  it('propagates the source error (e.g. a digest mismatch) and stops', async () => {
    const failing = Readable.from(
      (async function* () {
        yield craftTar([{ path: 'a', body: 'x' }]).subarray(0, 512);
        throw new Error('source broke');
      })(),
    );
    await expect(extractLayer(failing, dest())).rejects.toThrow('source broke');
  });

  it('rejects unknown limits', async () => {
    await expect(extractLayer(source(Buffer.alloc(0)), dest(), { maxFiles: 1 } as never)).rejects.toThrow(
      'unknown extraction limit "maxFiles"',
    );
  });
});

describe('collectLayerFiles', () => {
  const limits = { maxBytes: 1024, maxFileBytes: 1024, maxEntries: 100, maxTarBytes: 1024 * 1024 };

  it('reads files across layers with whiteouts and hardlinks, ignoring symlinks', async () => {
    const files = new Map<string, Buffer>();
    await collectLayerFiles(
      source(
        gzipSync(
          craftTar([
            { path: './version.json', body: '{"version":"v1.0.0"}' },
            { path: './changelog.yaml', body: 'features: []' },
            { path: './old/a', body: 'a' },
            { path: './sl', type: 'SymbolicLink', linkpath: 'version.json' },
          ]),
        ),
      ),
      files,
      limits,
    );
    await collectLayerFiles(
      source(
        craftTar([
          { path: 'version.json', body: '{"version":"v1.1.0"}' },
          { path: 'old/.wh..wh..opq', body: '' },
          { path: 'copy', type: 'Link', linkpath: 'changelog.yaml' },
        ]),
      ),
      files,
      limits,
    );
    expect(Object.fromEntries([...files].map(([k, v]) => [k, v.toString()]))).toEqual({
      'version.json': '{"version":"v1.1.0"}',
      'changelog.yaml': 'features: []',
      copy: 'features: []',
    });
  });

  it('skips filtered files without size limits, and limits the rest', async () => {
    const tar = craftTar([
      { path: 'big.bin', body: Buffer.alloc(4096) },
      { path: 'version.json', body: '{}' },
    ]);
    const files = new Map<string, Buffer>();
    await collectLayerFiles(source(tar), files, { ...limits, filter: (p) => p === 'version.json' });
    expect([...files.keys()]).toEqual(['version.json']);
    await expect(collectLayerFiles(source(tar), new Map(), limits)).rejects.toBeInstanceOf(RegistryExtractLimitError);
    const err = await collectLayerFiles(
      source(
        craftTar([
          { path: 'a', body: 'x'.repeat(600) },
          { path: 'b', body: 'x'.repeat(600) },
        ]),
      ),
      new Map(),
      limits,
    ).catch((e: unknown) => e);
    expect((err as RegistryExtractLimitError).limit).toBe('maxTotalBytes');
  });

  it('rejects traversal even when only reading', async () => {
    await expect(
      collectLayerFiles(source(craftTar([{ path: '../x', body: 'x' }])), new Map(), limits),
    ).rejects.toBeInstanceOf(RegistryUnsafeArchiveError);
  });
});
