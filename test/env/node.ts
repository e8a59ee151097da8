import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_K8S_VERSION, insecureGet, startControlPlane, type ControlPlane } from './control-plane.ts';
import { ensureDockerEngine } from './docker-engine.ts';
import { ensureLocalImage } from './images.ts';
import { freePort, waitFor } from './net.ts';
import { cacheDir, REPO_ROOT } from './paths.ts';
import { run, startProcess, tailLog, type ManagedProcess } from './process.ts';

// A real single-node cluster (../shared/spec/control-plane.md, "A real node"): containerd + kubelet + kube-scheduler beside
// the control plane, so that pods really run. Loopback only: no bridge, no addresses, pods use hostNetwork; images are
// imported from the local Docker engine (imagePullPolicy: Never). Root only; the kubelet touches a few host-wide things
// (sysctls, kubepods cgroups, /var/lib/kubelet, /var/log/containers, /var/lib/cni), which stop() puts back; its iptables
// chains are switched off, and runc's state lives in the temp folder too (not /run/containerd/runc/k8s.io).

/** The node's name (`--hostname-override`; the API server reaches the kubelet by it: --kubelet-preferred-address-types=Hostname). */
const NODE_NAME = 'localhost';

/** Host sysctls the kubelet sets (setupKernelTunables): read before start, restored on stop. */
const KUBELET_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
];

/** Host folders the kubelet and the CNI library create whatever their configured folders are. */
const HOST_LEFTOVERS = ['/var/lib/kubelet', '/var/log/containers', '/var/log/pods', '/var/lib/cni'];

/**
 * kube-controller-manager controllers a node needs beyond the default environment's (the not-ready taint, pod GC; the
 * kube-root-ca.crt ConfigMap every pod's ServiceAccount token volume projects).
 */
const NODE_CONTROLLERS = [
  'node-lifecycle-controller',
  'pod-garbage-collector-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'root-ca-certificate-publisher-controller',
];

/** kube-apiserver flags for reaching the kubelet (logs, exec, port-forward) with the admin client certificate. */
function nodeApiserverArgs(pki: { clientCert: string; clientKey: string }): string[] {
  return [
    '--kubelet-client-certificate',
    pki.clientCert,
    '--kubelet-client-key',
    pki.clientKey,
    '--kubelet-preferred-address-types',
    'Hostname',
  ];
}

interface RealNode {
  /** `external` when the control plane is KUBECONFIG_TEST's cluster: its own nodes serve, nothing was started. */
  kind: 'local' | 'external';
  name: string;
  processes: ManagedProcess[];
  /** Milliseconds from start until the node was Ready (0 when external). */
  readyAfterMs: number;
  /** The host sysctls the kubelet changes, as they were before it started (stop() restores them); empty when external. */
  hostSysctls: Record<string, string>;
  /**
   * Makes a local Docker image available to pods (`imagePullPolicy: Never`): `docker save | ctr -n k8s.io images import -`.
   * For an external cluster, runs MODSYNC_IMAGE_LOADER with the tag (e.g. `kind load docker-image`), or fails.
   * Resolves with the reference containerd knows the image by.
   */
  importImage(tag: string): Promise<string>;
  stop(): Promise<void>;
}

interface StartNodeOptions {
  controlPlane: ControlPlane;
  /** Temp folder for containerd's and the kubelet's state, configuration and logs. */
  dir: string;
  log?: (line: string) => void;
}

interface NodeBinaries {
  kubelet: string;
  kubeScheduler: string;
  containerd: string;
  ctr: string;
  cniBinDir: string;
}

function which(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** kubelet and kube-scheduler from KUBEBUILDER_ASSETS or the cache (built by `test/env/build-control-plane.sh --node` when missing); containerd from Debian. */
async function resolveNodeBinaries(log: (line: string) => void = () => {}): Promise<NodeBinaries> {
  const containerd = which('containerd');
  const ctr = which('ctr');
  const runc = which('runc');
  const cniBinDir = ['/usr/lib/cni', '/opt/cni/bin'].find((d) => existsSync(join(d, 'loopback')));
  if (!containerd || !ctr || !runc || !cniBinDir) {
    throw new Error(
      'the real node needs containerd, runc and the CNI plugins: apt-get install containerd runc containernetworking-plugins (scripts/setup.sh does)',
    );
  }
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets && existsSync(join(assets, 'kubelet')) && existsSync(join(assets, 'kube-scheduler'))) {
    return {
      kubelet: join(assets, 'kubelet'),
      kubeScheduler: join(assets, 'kube-scheduler'),
      containerd,
      ctr,
      cniBinDir,
    };
  }
  const version = process.env.MODSYNC_K8S_VERSION ?? DEFAULT_K8S_VERSION;
  const dir = join(cacheDir(), 'control-plane', version);
  if (!existsSync(join(dir, 'kubelet')) || !existsSync(join(dir, 'kube-scheduler'))) {
    if (!which('go'))
      throw new Error(
        `no kubelet/kube-scheduler in ${dir} and no Go to build them: install Go, or set KUBECONFIG_TEST to a real cluster`,
      );
    log(`building kubelet and kube-scheduler ${version} into ${dir} (about a minute once the control plane is built)`);
    await run('bash', [join(REPO_ROOT, 'test/env/build-control-plane.sh'), version, '--node'], { inheritStderr: true });
  }
  return { kubelet: join(dir, 'kubelet'), kubeScheduler: join(dir, 'kube-scheduler'), containerd, ctr, cniBinDir };
}

/** Pids of running processes whose executable's name is `name` (from /proc). */
function pidsOf(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0] ?? '';
      if (argv0.split('/').pop() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Pids of processes (not this one) whose command line contains `needle`. */
function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const sysctlPath = (name: string) => `/proc/sys/${name.replaceAll('.', '/')}`;

/** Every kubepods cgroup folder (cgroup v1 controllers and the unified hierarchy), deepest first. */
function kubepodsCgroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
    found.push(dir);
  };
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    for (const root of [
      join('/sys/fs/cgroup', controller, 'kubepods'),
      join('/sys/fs/cgroup', controller, 'kubepods.slice'),
    ]) {
      if (existsSync(root)) walk(root);
    }
  }
  if (existsSync('/sys/fs/cgroup/kubepods')) walk('/sys/fs/cgroup/kubepods');
  return found;
}

/** Mount points at or below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const lines = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const points = lines
    .map((l) => (l.split(' ')[1] ?? '').replaceAll('\\040', ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Sends SIGKILL, ignoring processes already gone. */
function kill(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Processes still in a kubepods cgroup (containers whose shim is gone), from any controller's hierarchy. */
function kubepodsProcesses(): number[] {
  const pids = new Set<number>();
  for (const cg of kubepodsCgroups()) {
    try {
      for (const line of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.add(Number(line));
    } catch {
      // not a cgroup folder any more
    }
  }
  return [...pids];
}

/** Where the kubelet's host changes were recorded, so that a run killed before stop() is cleaned up by the next one. */
const hostStateFile = () => join(cacheDir(), 'real-node-host-state.json');

interface HostState {
  /** The process that started the node (the test run). */
  pid: number;
  /** The node's temp folder. */
  dir: string;
  sysctls: Record<string, string>;
}

/**
 * Puts the host back as it was before a node in `state.dir` started: its containers and shims killed, mounts under
 * the folder unmounted, kubepods cgroups removed, sysctls restored, the kubelet's host folders removed.
 * Returns what could not be done.
 */
async function restoreHost(state: HostState): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => unknown) => {
    try {
      await fn();
    } catch (err) {
      problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // The kubelet, containerd and kube-scheduler of a killed run, and the containerd shims (which outlive containerd).
  kill(pidsMentioning(`${state.dir}/`));
  await waitFor('node processes to exit', () => pidsMentioning(`${state.dir}/`).length === 0, 10_000, 100).catch(
    (err: Error) => problems.push(err.message),
  );
  // Containers outlive their shim: whatever is left in the kubepods cgroups is this node's (one kubelet per host).
  kill(kubepodsProcesses());
  await waitFor('containers to exit', () => kubepodsProcesses().length === 0, 10_000, 100).catch((err: Error) =>
    problems.push(err.message),
  );
  for (const point of mountsUnder(state.dir)) await attempt(`umount ${point}`, () => run('umount', ['-l', point]));
  for (const cg of kubepodsCgroups()) await attempt(`rmdir ${cg}`, () => rmdir(cg));
  for (const [name, value] of Object.entries(state.sysctls)) {
    await attempt(`restore ${name}`, async () => {
      if ((await readFile(sysctlPath(name), 'utf8')).trim() !== value) await writeFile(sysctlPath(name), value);
    });
  }
  for (const leftover of HOST_LEFTOVERS)
    await attempt(`rm ${leftover}`, () => rm(leftover, { recursive: true, force: true }));
  for (const d of ['containerd', 'kubelet', 'kube-scheduler'])
    await attempt(`rm ${d}`, () => rm(join(state.dir, d), { recursive: true, force: true }));
  return problems;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims the host for one node: fails while another node (of this or another run) is up; cleans up after a run that
 * was killed before it could stop its node; records the sysctls as they are now.
 */
async function claimHost(dir: string, log: (line: string) => void): Promise<HostState> {
  const file = hostStateFile();
  if (existsSync(file)) {
    const previous = JSON.parse(await readFile(file, 'utf8')) as HostState;
    if (previous.pid !== process.pid && isAlive(previous.pid)) {
      throw new Error(`a real node is starting or running for process ${previous.pid} (${file}): one node per machine`);
    }
    log(`cleaning up after a real node that was not stopped (${previous.dir})`);
    const problems = await restoreHost(previous);
    if (problems.length > 0) log(`clean-up: ${problems.join('; ')}`);
    await rm(file, { force: true });
  }
  const others = pidsOf('kubelet');
  if (others.length > 0) {
    throw new Error(
      `another kubelet is running on this machine (pid ${others.join(', ')}): the real node needs the host's kubepods cgroups and /var/lib/kubelet to itself`,
    );
  }
  const sysctls: Record<string, string> = {};
  for (const name of KUBELET_SYSCTLS) {
    if (existsSync(sysctlPath(name))) sysctls[name] = (await readFile(sysctlPath(name), 'utf8')).trim();
  }
  const state: HostState = { pid: process.pid, dir, sysctls };
  await mkdir(cacheDir(), { recursive: true });
  try {
    await writeFile(file, JSON.stringify(state), { flag: 'wx' });
  } catch {
    throw new Error(`another real node claimed this machine meanwhile (${file})`);
  }
  return state;
}

function containerdConfig(dir: string, sandboxImage: string, cniBinDir: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(join(dir, 'root'))}
state = ${q(join(dir, 'state'))}

[grpc]
  address = ${q(join(dir, 'containerd.sock'))}

[ttrpc]
  address = ${q(join(dir, 'containerd.sock.ttrpc'))}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(dir, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(sandboxImage)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  restrict_oom_score_adj = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(join(dir, 'runc'))}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(cniBinDir)}
    conf_dir = ${q(join(dir, 'cni'))}
`;
}

function kubeletConfig(o: { dir: string; socket: string; caFile: string; port: number; healthzPort: number }): string {
  // JSON is YAML: no YAML library needed.
  return JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: '127.0.0.1',
      port: o.port,
      healthzBindAddress: '127.0.0.1',
      healthzPort: o.healthzPort,
      readOnlyPort: 0,
      cgroupDriver: 'cgroupfs',
      failSwapOn: false,
      failCgroupV1: false,
      containerRuntimeEndpoint: `unix://${o.socket}`,
      podLogsDir: join(o.dir, 'pod-logs'),
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: o.caFile } },
      authorization: { mode: 'Webhook' },
      // A shared test VM's disk is not the node's business: evict nothing, collect no images (they are imported, not pulled).
      evictionHard: {
        'memory.available': '1Mi',
        'nodefs.available': '0%',
        'imagefs.available': '0%',
        'nodefs.inodesFree': '0%',
      },
      // Left on, the kubelet adds KUBE-FIREWALL / KUBE-KUBELET-CANARY / KUBE-IPTABLES-HINT chains to the host's iptables
      // (for kube-proxy's benefit; there is none here) and keeps them there after it stops.
      makeIPTablesUtilChains: false,
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      // Status reported quickly, so Ready and pod phases show up without the production delays.
      nodeStatusUpdateFrequency: '2s',
      syncFrequency: '5s',
      fileCheckFrequency: '5s',
    },
    null,
    2,
  );
}

/**
 * Starts containerd, a kubelet and kube-scheduler against `controlPlane` (started with nodeApiserverArgs and
 * NODE_CONTROLLERS: see startNodeCluster) and resolves once the node is Ready. With an external control plane
 * (KUBECONFIG_TEST) nothing is started: that cluster's nodes serve.
 */
async function startNode(options: StartNodeOptions): Promise<RealNode> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  if (options.controlPlane.kind === 'external') {
    return {
      kind: 'external',
      name: '',
      processes: [],
      readyAfterMs: 0,
      hostSysctls: {},
      async importImage(tag) {
        const loader = process.env.MODSYNC_IMAGE_LOADER;
        if (!loader)
          throw new Error(
            `cannot make ${tag} available to the KUBECONFIG_TEST cluster: set MODSYNC_IMAGE_LOADER (e.g. "kind load docker-image")`,
          );
        await run('sh', ['-c', `${loader} "$1"`, 'loader', tag], { inheritStderr: true });
        return tag;
      },
      async stop() {},
    };
  }
  if (process.getuid?.() !== 0) throw new Error('the real node (kubelet + containerd) needs root');
  const pki = options.controlPlane.pki;
  if (!pki) throw new Error('startNode needs the local control plane’s PKI');
  const bins = await resolveNodeBinaries(log);

  const dir = options.dir;
  const logDir = join(dir, 'logs');
  const cDir = join(dir, 'containerd');
  const kDir = join(dir, 'kubelet');
  const socket = join(cDir, 'containerd.sock');
  await Promise.all([logDir, join(cDir, 'cni'), kDir].map((d) => mkdir(d, { recursive: true })));

  // What the kubelet will change on the host, as it was.
  const host = await claimHost(dir, log);

  const processes: ManagedProcess[] = [];
  const ctr = (args: string[]) => run(bins.ctr, ['--address', socket, '--namespace', 'k8s.io', ...args]);

  const stop = async () => {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const kubelet = processes.find((p) => p.name === 'kubelet');
    const containerd = processes.find((p) => p.name === 'containerd');
    const scheduler = processes.find((p) => p.name === 'kube-scheduler');
    await scheduler?.stop();
    await kubelet?.stop();
    // The kubelet leaves its pods running: delete every container of this containerd, then stop it, then its shims.
    if (containerd && containerd.child.exitCode === null) {
      await attempt('kill containers', async () => {
        for (const id of (await ctr(['tasks', 'ls', '-q'])).split('\n').filter(Boolean)) {
          await ctr(['tasks', 'delete', '--force', id]).catch(() => {});
        }
      });
    }
    await containerd?.stop();
    problems.push(...(await restoreHost(host)));
    if (problems.length === 0) await rm(hostStateFile(), { force: true });
    if (problems.length > 0) log(`node clean-up: ${problems.join('; ')}`);
  };

  try {
    // The sandbox image must exist before containerd starts (its configuration names it).
    await ensureDockerEngine(log);
    const pauseTag = await ensureLocalImage('pause', process.env.MODSYNC_PAUSE_IMAGE, log);
    const sandboxImage = qualified(pauseTag);
    await writeFile(join(cDir, 'config.toml'), containerdConfig(cDir, sandboxImage, bins.cniBinDir));
    await writeFile(
      join(cDir, 'cni', '10-lo-only.conflist'),
      JSON.stringify({ cniVersion: '0.4.0', name: 'lo-only', plugins: [{ type: 'loopback' }] }),
    );

    const containerd = startProcess(
      'containerd',
      bins.containerd,
      ['--config', join(cDir, 'config.toml'), '--log-level', 'warn'],
      logDir,
    );
    processes.push(containerd);
    await waitFor(
      'containerd',
      async () => {
        if (containerd.child.exitCode !== null)
          throw new Error(`containerd exited ${containerd.child.exitCode}: ${tailLog(containerd.logFile, 10)}`);
        if (!existsSync(socket)) return false;
        await ctr(['version']);
        return true;
      },
      30_000,
      100,
    );
    await importInto(socket, bins.ctr, pauseTag);

    const [port, healthzPort, schedulerPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const kubeletConfigFile = join(kDir, 'config.yaml');
    await writeFile(kubeletConfigFile, kubeletConfig({ dir: kDir, socket, caFile: pki.caCert, port, healthzPort }));
    const kubeconfig = options.controlPlane.kubeconfig;
    const kubelet = startProcess(
      'kubelet',
      bins.kubelet,
      [
        '--config',
        kubeletConfigFile,
        '--kubeconfig',
        kubeconfig,
        '--hostname-override',
        NODE_NAME,
        '--root-dir',
        join(kDir, 'root'),
        '--cert-dir',
        join(kDir, 'pki'),
        '--v',
        '1',
      ],
      logDir,
    );
    processes.push(kubelet);
    const scheduler = startProcess(
      'kube-scheduler',
      bins.kubeScheduler,
      [
        '--kubeconfig',
        kubeconfig,
        '--authentication-kubeconfig',
        kubeconfig,
        '--authorization-kubeconfig',
        kubeconfig,
        '--bind-address',
        '127.0.0.1',
        '--secure-port',
        String(schedulerPort),
        '--leader-elect=false',
        // Its serving certificate in the node's folder (also how a killed run's scheduler is found: restoreHost).
        '--cert-dir',
        join(dir, 'kube-scheduler'),
      ],
      logDir,
    );
    processes.push(scheduler);

    const kubectl = (args: string[]) =>
      run(options.controlPlane.kubectl, args, { env: { ...process.env, KUBECONFIG: kubeconfig } });
    await waitFor(
      'node Ready',
      async () => {
        for (const p of [containerd, kubelet, scheduler]) {
          if (p.child.exitCode !== null)
            throw new Error(`${p.name} exited ${p.child.exitCode}: ${tailLog(p.logFile, 15)}`);
        }
        const node = JSON.parse(await kubectl(['get', 'node', NODE_NAME, '-o', 'json'])) as {
          spec: { taints?: { key: string }[] };
          status: { conditions?: { type: string; status: string; message?: string }[] };
        };
        const ready = node.status.conditions?.find((c) => c.type === 'Ready');
        if (ready?.status !== 'True')
          throw new Error(`node ${NODE_NAME} not Ready: ${ready?.message ?? 'no condition yet'}`);
        // The node-lifecycle controller lifts the not-ready taint the kubelet registers with.
        const taints = (node.spec.taints ?? []).map((t) => t.key);
        if (taints.length > 0) throw new Error(`node ${NODE_NAME} Ready but tainted: ${taints.join(', ')}`);
        return true;
      },
      120_000,
      250,
    );
    await waitFor(
      'kube-scheduler',
      async () => (await insecureGet(`https://127.0.0.1:${schedulerPort}/healthz`)) === 200,
      60_000,
      250,
    );
    const readyAfterMs = Date.now() - started;
    log(`node ${NODE_NAME} Ready in ${readyAfterMs} ms`);
    return {
      kind: 'local',
      name: NODE_NAME,
      processes,
      readyAfterMs,
      hostSysctls: { ...host.sysctls },
      importImage: (tag) => importInto(socket, bins.ctr, tag),
      stop,
    };
  } catch (err) {
    for (const p of processes) process.stderr.write(`\n----- ${p.logFile} (tail) -----\n${tailLog(p.logFile)}\n`);
    await stop();
    throw err;
  }
}

/** The name containerd gives a Docker tag on import (`modsync/x:1` → `docker.io/modsync/x:1`). */
function qualified(tag: string): string {
  const first = tag.split('/')[0] ?? '';
  const hasRegistry = tag.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const named = hasRegistry ? tag : `docker.io/${tag.includes('/') ? tag : `library/${tag}`}`;
  return /:[^/]+$/.test(named) || named.includes('@') ? named : `${named}:latest`;
}

async function importInto(socket: string, ctr: string, tag: string): Promise<string> {
  await run('bash', [
    '-o',
    'pipefail',
    '-c',
    'docker save "$1" | "$2" --address "$3" --namespace k8s.io images import -',
    'import',
    tag,
    ctr,
    socket,
  ]);
  return qualified(tag);
}
export interface NodeCluster {
  controlPlane: ControlPlane;
  node: RealNode;
  stop(): Promise<void>;
}

/**
 * A control plane started for a node (kubelet client flags, node controllers) plus the node itself; or, with
 * KUBECONFIG_TEST, that cluster as is.
 */
export async function startNodeCluster(options: { dir: string; log?: (line: string) => void }): Promise<NodeCluster> {
  const log = options.log ?? (() => {});
  const cpDir = join(options.dir, 'control-plane');
  const pkiDir = join(cpDir, 'pki');
  // The admin cert is made by startControlPlane; its path is fixed (test/env/certs.ts), so the flags can name it up front.
  const controlPlane = await startControlPlane({
    dir: cpDir,
    log,
    apiserverArgs: nodeApiserverArgs({ clientCert: join(pkiDir, 'client.crt'), clientKey: join(pkiDir, 'client.key') }),
    controllers: NODE_CONTROLLERS,
    // In-cluster clients (modsync's own pods, helm in the applier) authenticate with their ServiceAccount's token.
    serviceAccountTokens: true,
  });
  try {
    const node = await startNode({ controlPlane, dir: join(options.dir, 'node'), log });
    return {
      controlPlane,
      node,
      async stop() {
        await node.stop();
        await controlPlane.stop();
      },
    };
  } catch (err) {
    await controlPlane.stop();
    throw err;
  }
}
