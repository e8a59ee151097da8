// Publishes many modules cheaply: every module shares one catalog image and one release image, so their blobs are
// uploaded once and mounted into each module's release repository (one request per blob, no bytes). A module costs one
// request (its catalog tag) and, when it gets a release image, two mounts and one per channel tag (`release:stable`).
import { moduleRepository, releaseRepository } from '@modsync/dkp';
import { mapLimit } from '@modsync/runtime';
import type { RegistryClient, RegistrySettings } from '@modsync/registry';
import { imageOf, MEDIA_TYPES, releaseImageFiles, type ImageArtifact } from '../test/fixtures/module-artifacts.ts';

export interface BulkPublishOptions {
  /** A client without a request budget (the publisher is not what is measured). */
  client: RegistryClient;
  /** Settings of the source's repo (`host/path`). */
  settings: RegistrySettings;
  modules: readonly string[];
  /**
   * Modules given a `release:stable`, the first ones in byte order (the order in which the syncer takes names, up to
   * DKP's cap); the others are only listed. @defaultValue every module
   */
  releases?: number;
  /** Version every module's release image carries. @defaultValue 'v1.0.0' */
  version?: string;
  /** Channel tags each released module gets, all on the same image. @defaultValue `['stable']` */
  channels?: readonly string[];
  /** Modules published at once. @defaultValue 32 */
  concurrency?: number;
}

/** A release image of `version` (version.json, changelog, module.yaml), to point a channel at. */
export function releaseImage(version: string): Promise<ImageArtifact> {
  return imageOf(releaseImageFiles({ module: 'bench', version }));
}

async function pushImageBlobs(
  client: RegistryClient,
  settings: RegistrySettings,
  repository: string,
  image: ImageArtifact,
): Promise<void> {
  await client.pushBlob(settings, repository, image.layer);
  await client.pushBlob(settings, repository, image.config);
}

/** Cross-repository mount (OCI distribution spec): 201 when the registry linked the blob; else a plain upload. */
async function mountBlob(
  client: RegistryClient,
  settings: RegistrySettings,
  repository: string,
  from: string,
  bytes: Buffer,
  digest: string,
): Promise<void> {
  const url = `${settings.baseUrl}/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  await response.body?.cancel();
  if (response.status === 201) return;
  await client.pushBlob(settings, repository, bytes);
}

/** Points `release:stable` of `module` at `image` (uploads its blobs; for a new version of one module). */
export async function pushRelease(
  client: RegistryClient,
  settings: RegistrySettings,
  module: string,
  image: ImageArtifact,
): Promise<string> {
  const repository = releaseRepository(settings.pathPrefix, module);
  await pushImageBlobs(client, settings, repository, image);
  const { digest } = await client.pushManifest(settings, repository, 'stable', image.manifest, MEDIA_TYPES.manifest);
  return digest;
}

/** Lists every module in the source's catalog and gives (the first `releases` of) them a `release:stable`. */
export async function publishModules(
  options: BulkPublishOptions,
): Promise<{ releaseDigest: string; requests: number }> {
  const { client, settings } = options;
  const modules = [...options.modules].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (modules.length === 0) throw new Error('publishModules: no modules');
  const released = new Set(modules.slice(0, options.releases ?? modules.length));
  let requests = 0;
  const catalog = await imageOf({ 'catalog.txt': 'a module of the benchmark' });
  const release = await releaseImage(options.version ?? 'v1.0.0');
  await pushImageBlobs(client, settings, settings.pathPrefix, catalog);
  const seed = releaseRepository(settings.pathPrefix, modules[0]!);
  await pushImageBlobs(client, settings, seed, release);
  const layerDigest = sha256Of(release, 'layer');
  const configDigest = sha256Of(release, 'config');
  await mapLimit(modules, options.concurrency ?? 32, async (module) => {
    await client.pushManifest(settings, settings.pathPrefix, module, catalog.manifest, MEDIA_TYPES.manifest);
    requests++;
    if (!released.has(module)) return;
    const repository = releaseRepository(settings.pathPrefix, module);
    if (repository !== seed) {
      await mountBlob(client, settings, repository, seed, release.layer, layerDigest);
      await mountBlob(client, settings, repository, seed, release.config, configDigest);
      requests += 2;
    }
    for (const channel of options.channels ?? ['stable']) {
      await client.pushManifest(settings, repository, channel, release.manifest, MEDIA_TYPES.manifest);
      requests++;
    }
  });
  return { releaseDigest: release.digest, requests };
}

export interface StepPublishOptions {
  /** A client without a request budget. */
  client: RegistryClient;
  settings: RegistrySettings;
  /** Modules already published by `publishModules` (their catalog image is in the source's repo). */
  modules: readonly string[];
  /** Versions, ascending; `release:stable` ends on the last. */
  steps: readonly string[];
  /** @defaultValue 32 */
  concurrency?: number;
}

/**
 * New versions for modules already published, then their channel moves: each step's release image tagged `vX.Y.Z` in
 * `R/<module>/release` (where the applier reads a step's metadata) and a `vX.Y.Z` tag in the bundle repository
 * `R/<module>` (whose tags the step-by-step chain lists; any manifest does, the catalog image here); then
 * `release:stable` moves to the last step. Blobs are mounted, as in `publishModules`.
 */
export async function publishSteps(options: StepPublishOptions): Promise<{ requests: number }> {
  const { client, settings, modules, steps } = options;
  const catalog = await imageOf({ 'catalog.txt': 'a module of the benchmark' });
  const images = await Promise.all(steps.map((version) => releaseImage(version)));
  const seed = releaseRepository(settings.pathPrefix, modules[0]!);
  await pushImageBlobs(client, settings, settings.pathPrefix, catalog);
  for (const image of images) await pushImageBlobs(client, settings, seed, image);
  let requests = 0;
  await mapLimit(modules, options.concurrency ?? 32, async (module) => {
    const bundle = moduleRepository(settings.pathPrefix, module);
    const repository = releaseRepository(settings.pathPrefix, module);
    await mountBlob(client, settings, bundle, settings.pathPrefix, catalog.layer, sha256Of(catalog, 'layer'));
    await mountBlob(client, settings, bundle, settings.pathPrefix, catalog.config, sha256Of(catalog, 'config'));
    requests += 2;
    for (const [i, image] of images.entries()) {
      if (repository !== seed) {
        await mountBlob(client, settings, repository, seed, image.layer, sha256Of(image, 'layer'));
        await mountBlob(client, settings, repository, seed, image.config, sha256Of(image, 'config'));
        requests += 2;
      }
      await client.pushManifest(settings, repository, steps[i]!, image.manifest, MEDIA_TYPES.manifest);
      await client.pushManifest(settings, bundle, steps[i]!, catalog.manifest, MEDIA_TYPES.manifest);
      requests += 2;
    }
    await client.pushManifest(settings, repository, 'stable', images.at(-1)!.manifest, MEDIA_TYPES.manifest);
    requests++;
  });
  return { requests };
}

function sha256Of(image: ImageArtifact, part: 'layer' | 'config'): string {
  const manifest = JSON.parse(image.manifest.toString('utf8')) as {
    config: { digest: string };
    layers: { digest: string }[];
  };
  return part === 'config' ? manifest.config.digest : manifest.layers[0]!.digest;
}
