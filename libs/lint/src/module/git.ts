import { dirname, join, resolve } from 'node:path';
import { isDir, isFile, readTextIfExists } from '../fs/files.ts';

/** DMT treats modules in these repositories leniently (pkg.IgnoreDeckhouseReposList). */
const DECKHOUSE_REPOS = ['deckhouse', 'deckhouse-test-1', 'deckhouse-test-2'];

/** The `remote "origin"` URL of the git repository containing dir, if any. */
function originURL(dir: string): string | undefined {
  let cur = resolve(dir);
  for (;;) {
    const cfg = join(cur, '.git', 'config');
    if (isDir(join(cur, '.git')) && isFile(cfg)) {
      const text = readTextIfExists(cfg) ?? '';
      let inOrigin = false;
      for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line.startsWith('[')) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
        else if (inOrigin) {
          const m = /^url\s*=\s*(.+)$/.exec(line);
          if (m) return m[1]!.trim();
        }
      }
      return undefined;
    }
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}

/** The last path element of the origin URL (DMT's convertURLToModuleName). */
function repositoryName(dir: string): string {
  const url = originURL(dir);
  if (!url) return '';
  const trimmed = url
    .replace(/^https:\/\//, '')
    .replace(/^git@/, '')
    .replace(/\.git$/, '');
  return trimmed.split('/').pop() ?? '';
}

export function inDeckhouseRepo(dir: string): boolean {
  return DECKHOUSE_REPOS.includes(repositoryName(dir));
}

/** The origin as an https URL without credentials (DMT's convertToHTTPS, used for metrics). */
export function repositoryAddress(dir: string): string {
  let url = originURL(dir) ?? '';
  if (url.startsWith('git@')) {
    url = url
      .replace(':', '/')
      .replace('git@', 'https://')
      .replace(/\.git$/, '');
  }
  if (url.startsWith('https://') && url.includes('@')) {
    url = `https://${url.split('@')[1]!.replace(/\.git$/, '')}`;
  }
  return url;
}
