// What the syncer's dependencies cost in resident memory just by being imported: a fresh Node process imports them one
// by one (in the order the syncer's own imports reach them) and reports the RSS each one added.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ImportStep {
  label: string;
  /** A package name or a file URL, resolved from the repository's root. */
  specifier: string;
}

/** Bytes of RSS added by each step, after the bare process (label `node`). */
export async function importCost(steps: readonly ImportStep[], timeoutMs = 60_000): Promise<Record<string, number>> {
  const script = `
    const rss = () => process.memoryUsage().rss;
    const added = { node: rss() };
    let last = added.node;
    for (const { label, specifier } of ${JSON.stringify(steps)}) {
      await import(specifier);
      const now = rss();
      added[label] = (added[label] ?? 0) + now - last;
      last = now;
    }
    process.stdout.write(JSON.stringify(added));
  `;
  const node = join(REPO_ROOT, 'node_modules/.bin/node');
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(node, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, timeout: timeoutMs }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}: ${errOut}`)) : resolve(out),
    );
  });
  return JSON.parse(stdout) as Record<string, number>;
}
