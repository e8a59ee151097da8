import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './net.ts';

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

/**
 * Makes sure a Docker engine answers: DOCKER_HOST or /var/run/docker.sock; if none does, starts Debian's dockerd
 * (root only) with no bridge and no iptables, so no private-range network is ever created. The engine it starts is
 * left running, detached, as the machine's own: test runs and benchmarks on one machine share it, and a run that
 * stopped it at its end would take the containers of the others with it. Its log: <tmpdir>/modsync-dockerd.log.
 */
export async function ensureDockerEngine(log: (line: string) => void = () => {}): Promise<void> {
  if (process.env.DOCKER_HOST || (await pingSocket(SOCKET))) return;
  const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));
  if (!dockerd)
    throw new Error(
      'no Docker engine answers and dockerd is not installed: run `apt-get install docker.io` (scripts/setup.sh does)',
    );
  if (process.getuid?.() !== 0)
    throw new Error(
      `no Docker engine answers at ${SOCKET}; start one (as root: dockerd --bridge=none --iptables=false)`,
    );
  const logFile = join(tmpdir(), 'modsync-dockerd.log');
  log(`starting dockerd (no bridge, no iptables; left running; log ${logFile})`);
  const fd = openSync(logFile, 'a');
  const child = spawn(
    dockerd,
    ['--bridge=none', '--iptables=false', '--ip6tables=false', '--host', `unix://${SOCKET}`],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  child.unref();
  // Another run may have started one at the same moment: then ours exits (its pid file is taken) and theirs answers.
  await waitFor('dockerd', () => pingSocket(SOCKET), 60_000, 200);
}
