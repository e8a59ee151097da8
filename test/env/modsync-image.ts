import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureLocalImage, extraCaBundle } from './images.ts';
import { REPO_ROOT } from './paths.ts';
import { run } from './process.ts';

export interface ModsyncImageOptions {
  /** Image name. @defaultValue 'modsync:dev' */
  tag?: string;
  /** An image with Node 24 and npm; default: MODSYNC_NODE_IMAGE, else the stand-in built from test/env/images/node. */
  baseImage?: string;
  log?: (line: string) => void;
}

/**
 * Builds modsync's image from infra/image/Dockerfile (host network, as every build here): stages helm (built from the
 * Go module proxy into the cache) into infra/.build, picks the base image, and returns the tag and the image's size.
 */
export async function buildModsyncImage(
  options: ModsyncImageOptions = {},
): Promise<{ tag: string; sizeBytes: number }> {
  const log = options.log ?? (() => {});
  const tag = options.tag ?? 'modsync:dev';
  const helmDir = (await run('bash', [join(REPO_ROOT, 'test/env/build-helm.sh')], { inheritStderr: true })).trim();
  await mkdir(join(REPO_ROOT, 'infra/.build'), { recursive: true });
  await copyFile(join(helmDir, 'helm'), join(REPO_ROOT, 'infra/.build/helm'));
  await writeFile(join(REPO_ROOT, 'infra/.build/extra-ca.crt'), await extraCaBundle());
  const base = options.baseImage ?? (await ensureLocalImage('node', process.env.MODSYNC_NODE_IMAGE, log));
  log(`building ${tag} on ${base}`);
  await run(
    'docker',
    [
      'build',
      '--network',
      'host',
      '-f',
      join(REPO_ROOT, 'infra/image/Dockerfile'),
      '--build-arg',
      `BASE_IMAGE=${base}`,
      '-t',
      tag,
      REPO_ROOT,
    ],
    { inheritStderr: true },
  );
  const size = Number((await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag])).trim());
  return { tag, sizeBytes: size };
}
