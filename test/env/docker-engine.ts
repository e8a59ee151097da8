import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { waitFor } from './net.ts';
import { startProcess, type ManagedProcess } from './process.ts';

// testcontainers on an engine with no bridge network: containers use the host network, the bridge-gateway probe and the
// reaper image (which cannot be pulled here) are off; every container is stopped by the harness itself.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

const SOCKET = '/var/run/docker.sock';

function pingSocket(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface DockerEngine {
  /** The dockerd this harness started, or undefined when one already answered. */
  process?: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Makes sure a Docker engine answers: DOCKER_HOST or /var/run/docker.sock; if none does, starts Debian's dockerd
 * (root only) with no bridge and no iptables, so no private-range network is ever created.
 */
export async function ensureDockerEngine(logDir: string, log: (line: string) => void = () => {}): Promise<DockerEngine> {
  if (process.env.DOCKER_HOST || (await pingSocket(SOCKET))) return { async stop() {} };
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
  if (!dockerd) throw new Error('no Docker engine answers and dockerd is not installed: run `apt-get install docker.io` (scripts/setup.sh does)');
  if (process.getuid?.() !== 0) throw new Error(`no Docker engine answers at ${SOCKET}; start one (as root: dockerd --bridge=none --iptables=false)`);
  await mkdir(logDir, { recursive: true });
  log('starting dockerd (no bridge, no iptables)');
  const proc = startProcess('dockerd', dockerd, ['--bridge=none', '--iptables=false', '--ip6tables=false', '--host', `unix://${SOCKET}`], logDir);
  await waitFor('dockerd', async () => {
    if (proc.child.exitCode !== null) throw new Error(`dockerd exited ${proc.child.exitCode}, see ${join(logDir, 'dockerd.log')}`);
    return pingSocket(SOCKET);
  }, 60_000, 200);
  return { process: proc, stop: () => proc.stop(20_000) };
}
