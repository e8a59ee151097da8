import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractLayer, type RegistryClient, type RegistrySettings } from '@modsync/registry';

/** Limits of one bundle: a module is a chart, schemas, hooks and docs, not a data set. */
const BUNDLE_LIMITS = { maxFileBytes: 32 << 20, maxTotalBytes: 256 << 20, maxEntries: 20_000 } as const;

/** What the store records of a downloaded bundle (`<module>/<version>/.modsync-bundle.json`). */
export interface StoredBundle {
  module: string;
  version: string;
  /** Digest of the bundle's image manifest: the content address. */
  digest: string;
  reference: string;
  downloadedAt: string;
}

const MARKER = '.modsync-bundle.json';

/**
 * Downloaded module bundles, one folder per module version: `<root>/<module>/<version>/` with the bundle's files and a
 * marker naming the manifest digest it was unpacked from. A version already there (same digest) is not pulled again;
 * a download is unpacked into a temp folder and renamed into place, so a half-written bundle is never used.
 */
export class ModuleStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  path(module: string, version: string): string {
    return join(this.root, module, version);
  }

  async stored(module: string, version: string): Promise<StoredBundle | undefined> {
    try {
      return JSON.parse(await readFile(join(this.path(module, version), MARKER), 'utf8')) as StoredBundle;
    } catch {
      return undefined;
    }
  }

  /**
   * Pulls `<repository>@<digest>` (the digest the registry serves for `version` now: the caller's HEAD) unless the
   * store has the version at that digest, verifying every blob's digest, and unpacks its layers in order with the safe
   * extractor.
   */
  async ensure(
    registry: RegistryClient,
    settings: RegistrySettings,
    repository: string,
    module: string,
    version: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<{ bundle: StoredBundle; downloaded: boolean }> {
    const have = await this.stored(module, version);
    if (have && have.digest === digest) return { bundle: have, downloaded: false };

    const { manifest } = await registry.getManifest(settings, repository, digest, { signal });
    await mkdir(join(this.root, module), { recursive: true });
    const staging = await mkdtemp(join(this.root, module, `.download-${version}-`));
    try {
      let total = 0;
      for (const layer of manifest.layers) {
        const blob = await registry.getBlob(settings, repository, layer.digest, {
          expectedSize: layer.size,
          maxBytes: BUNDLE_LIMITS.maxTotalBytes,
          signal,
        });
        const result = await extractLayer(blob, staging, {
          maxFileBytes: BUNDLE_LIMITS.maxFileBytes,
          maxTotalBytes: BUNDLE_LIMITS.maxTotalBytes - total,
          maxEntries: BUNDLE_LIMITS.maxEntries,
          signal,
        });
        total += result.bytes;
      }
      const bundle: StoredBundle = {
        module,
        version,
        digest,
        reference: `${settings.host}/${repository}:${version}`,
        downloadedAt: new Date().toISOString(),
      };
      await writeFile(join(staging, MARKER), JSON.stringify(bundle, null, 2));
      const target = this.path(module, version);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
      return { bundle, downloaded: true };
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Drops every stored version of `module` but `keep`. */
  async prune(module: string, keep: readonly string[]): Promise<void> {
    let entries: string[] = [];
    try {
      entries = await readdir(join(this.root, module));
    } catch {
      return;
    }
    for (const entry of entries)
      if (!keep.includes(entry)) await rm(join(this.root, module, entry), { recursive: true, force: true });
  }
}
