import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalImage } from '../env/images.ts';
import { freePort, waitFor } from '../env/net.ts';
import { startNodeCluster, type NodeCluster } from '../env/node.ts';
import { run, tailLog } from '../env/process.ts';

// A real single-node cluster (test/env/node.ts): containerd + kubelet + kube-scheduler beside the control plane.
// Project `node` (root, Docker, containerd from Debian): scripts/test.sh runs it last, as root.

const SYSCTLS = ['vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops'];
const readSysctls = () =>
  Object.fromEntries(SYSCTLS.map((n) => [n, readFileSync(`/proc/sys/${n.replaceAll('.', '/')}`, 'utf8').trim()]));

/** Command lines of running processes that mention `needle` (the test's temp folder: every server of this cluster does). */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** The host's iptables rules (both families, the tables the kubelet would touch), or '' without iptables. */
async function iptablesRules(): Promise<string> {
  const out: string[] = [];
  for (const cmd of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) out.push(await run(cmd, ['-t', table, '-S']).catch(() => ''));
  }
  return out.join('\n');
}

const log = (line: string) => process.stderr.write(`[node] ${line}\n`);
let dir = '';
let cluster: NodeCluster | undefined;
let stopped = false;
let helloImage = '';
let iptablesBefore = '';

function kubectl(args: string[], input?: string): Promise<string> {
  return run(cluster!.controlPlane.kubectl, args, {
    input,
    env: { ...process.env, KUBECONFIG: cluster!.controlPlane.kubeconfig },
  });
}

describe.runIf(process.getuid?.() === 0)('a real node', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modsync-node-'));
    iptablesBefore = await iptablesRules();
    const started = Date.now();
    const [c, helloTag] = await Promise.all([
      startNodeCluster({ dir, log }),
      ensureLocalImage('hello', undefined, log),
    ]);
    cluster = c;
    log(`control plane + node Ready in ${Date.now() - started} ms (node alone: ${c.node.readyAfterMs} ms)`);
    const importStarted = Date.now();
    helloImage = await c.node.importImage(helloTag);
    log(`imported ${helloImage} in ${Date.now() - importStarted} ms`);
  }, 900_000);

  afterAll(async () => {
    if (cluster && !stopped) await cluster.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('is Ready, registered as localhost, with the kubelet the control plane was built with', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', 'localhost', '-o', 'json'])) as {
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
      };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\//);
    // The kubelet really changed the host (what stop() must undo).
    expect(readSysctls()['vm.overcommit_memory']).toBe('1');
  });

  it('runs a hostNetwork Deployment from a locally imported image until Available; logs, exec and exec -i work', async () => {
    const port = await freePort();
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'hello' } },
        template: {
          metadata: { labels: { app: 'hello' } },
          spec: {
            hostNetwork: true,
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'hello',
                image: helloImage,
                imagePullPolicy: 'Never',
                env: [{ name: 'PORT', value: String(port) }],
                readinessProbe: { httpGet: { host: '127.0.0.1', port, path: '/' }, periodSeconds: 1 },
              },
            ],
          },
        },
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    const started = Date.now();
    try {
      await kubectl(['wait', '--for=condition=Available', 'deployment/hello', '--timeout=120s']);
    } catch (err) {
      process.stderr.write(await kubectl(['describe', 'pods', '-l', 'app=hello']).catch((e: Error) => e.message));
      throw err;
    }
    log(`Deployment Available in ${Date.now() - started} ms`);

    // The workload really serves, on loopback, from the host's network namespace.
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('hello from a real pod\n');

    expect(await kubectl(['logs', 'deployment/hello'])).toContain(`hello: serving on 127.0.0.1:${port}`);
    expect(await kubectl(['logs', '-l', 'app=hello'])).toContain('serving on');
    expect(await kubectl(['exec', 'deployment/hello', '--', 'cat', '/www/index.html'])).toBe('hello from a real pod\n');
    expect(await kubectl(['exec', '-i', 'deployment/hello', '--', 'tr', 'a-z', 'A-Z'], 'through stdin\n')).toBe(
      'THROUGH STDIN\n',
    );

    const pods = JSON.parse(await kubectl(['get', 'pods', '-l', 'app=hello', '-o', 'json'])) as {
      items: { spec: { nodeName: string }; status: { phase: string } }[];
    };
    expect(pods.items.map((p) => [p.spec.nodeName, p.status.phase])).toEqual([['localhost', 'Running']]);

    // Deleting it stops the container (short grace period) and the pod goes away.
    await kubectl(['delete', 'deployment/hello', '--wait=true']);
    await waitFor(
      'hello pods to go',
      async () => (await kubectl(['get', 'pods', '-l', 'app=hello', '-o', 'name'])).trim() === '',
      60_000,
      500,
    );
    await waitFor(
      'port to close',
      async () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          () => false,
          () => true,
        ),
      10_000,
      200,
    );
  });

  it('tears down cleanly: no process left, host sysctls, iptables and folders as they were, kubepods cgroups removed', async () => {
    const logFiles = cluster!.node.processes.map((p) => p.logFile);
    const started = Date.now();
    stopped = true;
    await cluster!.stop();
    log(`stopped in ${Date.now() - started} ms`);
    expect(processesMentioning(dir)).toEqual([]);
    // As before the kubelet started (read by startNode, after cleaning up any run killed before its stop()).
    const before = cluster!.node.hostSysctls;
    expect(readSysctls()).toEqual(Object.fromEntries(SYSCTLS.map((n) => [n, before[n]])));
    for (const path of ['/var/lib/kubelet', '/var/log/containers', '/var/log/pods', '/var/lib/cni'])
      expect(existsSync(path), path).toBe(false);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((c) => existsSync(join('/sys/fs/cgroup', c, 'kubepods')));
    expect(cgroups).toEqual([]);
    expect(existsSync('/run/containerd/runc/k8s.io')).toBe(false);
    expect(await iptablesRules()).toBe(iptablesBefore);
    // containerd and kubelet logged no panic on the way.
    for (const file of logFiles) expect(await readFile(file, 'utf8'), tailLog(file)).not.toMatch(/panic:/);
  });
});
