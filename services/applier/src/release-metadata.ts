import {
  moduleRepository,
  parseReleaseMetadata,
  RELEASE_IMAGE_FILES,
  RELEASE_IMAGE_MAX_BYTES,
  type ReleaseMetadata,
  releaseRepository,
} from '@modsync/dkp';
import type { ModuleSource } from '@modsync/k8s';
import { parseRegistrySettings, type RegistryClient } from '@modsync/registry';

/**
 * Reads `R/<module>/release:<version>` of `source` (§7) and parses its metadata: for a release the syncer's discovery
 * event did not describe (a step-by-step version, or no event held).
 */
export async function readReleaseMetadata(
  registry: RegistryClient,
  source: ModuleSource,
  module: string,
  version: string,
  signal?: AbortSignal,
): Promise<ReleaseMetadata> {
  const settings = parseRegistrySettings(source.spec.registry);
  const files = await registry.readImageFiles(settings, releaseRepository(settings.pathPrefix, module), version, {
    maxBytes: RELEASE_IMAGE_MAX_BYTES,
    filter: (path) => RELEASE_IMAGE_FILES.has(path),
    ...(signal ? { signal } : {}),
  });
  return parseReleaseMetadata(files);
}

/** Tags of the bundle repository `R/<module>` (the step-by-step chain needs them, §9). */
export async function listBundleTags(
  registry: RegistryClient,
  source: ModuleSource,
  module: string,
): Promise<string[]> {
  const settings = parseRegistrySettings(source.spec.registry);
  return registry.listTags(settings, moduleRepository(settings.pathPrefix, module));
}
