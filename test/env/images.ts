import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { run } from './process.ts';

/** Base image of every locally built image: Debian bookworm, debootstrapped (public images cannot be pulled here). */
const BASE_IMAGE = process.env.MODSYNC_BASE_IMAGE ?? 'modsync/debian:bookworm';
const DEBIAN_MIRROR = process.env.MODSYNC_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

async function imageExists(name: string): Promise<boolean> {
  try {
    await run('docker', ['image', 'inspect', '--format', '{{.Id}}', name]);
    return true;
  } catch {
    return false;
  }
}

/** Builds the base image from a debootstrapped Debian (about 1 minute) unless it exists. */
async function ensureBaseImage(log: (line: string) => void = () => {}): Promise<string> {
  if (await imageExists(BASE_IMAGE)) return BASE_IMAGE;
  log(`building ${BASE_IMAGE} with debootstrap`);
  const root = await mkdtemp(join(tmpdir(), 'modsync-debootstrap-'));
  try {
    await run('debootstrap', ['--variant=minbase', 'bookworm', root, DEBIAN_MIRROR]);
    // debootstrap keeps the .debs it installed (~100 MB): not part of an image.
    await run('bash', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*', 'clean', root]);
    await run('bash', ['-c', `tar -C "$1" -c . | docker import - "$2"`, 'import', root, BASE_IMAGE]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return BASE_IMAGE;
}

async function contextHash(dir: string): Promise<string> {
  const hash = createHash('sha256').update(BASE_IMAGE);
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()) {
    hash.update(entry.slice(dir.length)).update(await readFile(entry));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * The image built from `test/env/images/<name>` (tagged by a hash of its folder, so a changed Dockerfile is rebuilt and an
 * unchanged one is reused), or the image named by `override` (e.g. the official `redis:7`) where one can be pulled.
 */
export function ensureLocalImage(
  name: string,
  override: string | undefined,
  log: (line: string) => void = () => {},
): Promise<string> {
  if (override) return Promise.resolve(override);
  // Two registries start at once: build their image once.
  let pending = building.get(name);
  if (!pending) {
    pending = buildLocalImage(name, log);
    pending.catch(() => building.delete(name));
    building.set(name, pending);
  }
  return pending;
}

const building = new Map<string, Promise<string>>();
let baseImage: Promise<string> | undefined;

async function buildLocalImage(name: string, log: (line: string) => void): Promise<string> {
  const context = join(REPO_ROOT, 'test/env/images', name);
  const tag = `modsync/${name}:${await contextHash(context)}`;
  if (await imageExists(tag)) return tag;
  baseImage ??= ensureBaseImage(log);
  await baseImage;
  log(`building ${tag}`);
  // A temp copy of the folder plus the machine's extra CA bundle (extra-ca.crt, empty when none): where HTTPS goes
  // through an intercepting proxy, downloads inside the build trust what the host trusts.
  const staged = await mkdtemp(join(tmpdir(), `modsync-image-${name}-`));
  try {
    await cp(context, staged, { recursive: true });
    await writeFile(join(staged, 'extra-ca.crt'), await extraCaBundle());
    await run('docker', [
      'build',
      '--network',
      'host',
      '--build-arg',
      `BASE_IMAGE=${BASE_IMAGE}`,
      '-q',
      '-t',
      tag,
      staged,
    ]);
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
  return tag;
}

/** The CA bundle the host's tools are told to trust (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE), or empty. */
export async function extraCaBundle(): Promise<string> {
  for (const file of [process.env.NODE_EXTRA_CA_CERTS, process.env.SSL_CERT_FILE]) {
    if (file && existsSync(file)) return readFile(file, 'utf8');
  }
  return '';
}
