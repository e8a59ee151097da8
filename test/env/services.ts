import { join } from 'node:path';
import { freePort, waitFor } from './net.ts';
import { REPO_ROOT } from './paths.ts';
import { startProcess, type ManagedProcess } from './process.ts';

export interface RunningService {
  process: ManagedProcess;
  /** http://127.0.0.1:<port> */
  url: string;
  logFile: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crashed pod. */
  kill(): Promise<void>;
}

/** Runs a modsync service (`services/<name>/src/main.ts`) as its own Node 24 process and waits for /readyz. */
export async function startService(name: 'syncer' | 'applier', options: { logDir: string; instance: string; env: Record<string, string> }): Promise<RunningService> {
  const port = await freePort();
  const node = join(REPO_ROOT, 'node_modules/.bin/node');
  const proc = startProcess(`${name}-${options.instance}`, node, [join(REPO_ROOT, `services/${name}/src/main.ts`)], options.logDir, {
    ...process.env,
    MODSYNC_HTTP_HOST: '127.0.0.1',
    MODSYNC_HTTP_PORT: String(port),
    MODSYNC_IDENTITY: `${name}-${options.instance}`,
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} ${options.instance}`, async () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited ${proc.child.exitCode}, see ${proc.logFile}`);
    return (await fetch(`${url}/readyz`)).ok;
  }, 60_000, 100);
  return {
    process: proc,
    url,
    logFile: proc.logFile,
    stop: () => proc.stop(30_000),
    async kill() {
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
  };
}
