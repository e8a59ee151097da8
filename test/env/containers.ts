import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';

/** Copies a container's output into `<logDir>/<name>.log` for failure reports. */
export async function keepContainerLogs(container: StartedTestContainer, logDir: string, name: string): Promise<string> {
  const file = join(logDir, `${name}.log`);
  const out = createWriteStream(file, { flags: 'a' });
  const stream = await container.logs();
  stream.on('data', (chunk: Buffer | string) => out.write(chunk));
  stream.on('end', () => out.end());
  stream.on('error', () => out.end());
  return file;
}
