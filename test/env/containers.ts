import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { run } from './process.ts';

/** Labels on every container the harness starts: the owning process, so leftovers of a killed run can be removed. */
export const CONTAINER_LABELS = { 'modsync.env': 'test', 'modsync.pid': String(process.pid) };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes containers left by harness processes that no longer exist (a run killed before its teardown). */
export async function removeOrphanContainers(): Promise<number> {
  const rows = (
    await run('docker', [
      'ps',
      '-a',
      '--filter',
      'label=modsync.env=test',
      '--format',
      '{{.ID}} {{.Label "modsync.pid"}}',
    ])
  ).trim();
  const orphans = rows
    ? rows
        .split('\n')
        .map((r) => r.split(' '))
        .filter(([, pid]) => !isAlive(Number(pid)))
        .map(([id]) => id!)
    : [];
  // Another run may be removing the same leftovers at this moment: each removal is best effort.
  const removed = await Promise.all(
    orphans.map((id) =>
      run('docker', ['rm', '-f', id]).then(
        () => 1,
        () => 0,
      ),
    ),
  );
  return removed.reduce<number>((a, b) => a + b, 0);
}

/** Copies a container's output into `<logDir>/<name>.log` for failure reports. */
export async function keepContainerLogs(
  container: StartedTestContainer,
  logDir: string,
  name: string,
): Promise<string> {
  const file = join(logDir, `${name}.log`);
  const out = createWriteStream(file, { flags: 'a' });
  const stream = await container.logs();
  stream.on('data', (chunk: Buffer | string) => out.write(chunk));
  stream.on('end', () => out.end());
  stream.on('error', () => out.end());
  return file;
}
