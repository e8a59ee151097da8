import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Machine-wide cache outside the clone (control plane binaries, Go caches), so fresh clones on the same machine reuse it.
 * Override with MODSYNC_CACHE_DIR.
 */
export function cacheDir(): string {
  return process.env.MODSYNC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'modsync');
}
