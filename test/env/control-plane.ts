import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { createTestPki, type TestPki } from './certs.ts';
import { freePort, waitFor } from './net.ts';
import { cacheDir, REPO_ROOT } from './paths.ts';
import { run, startProcess, type ManagedProcess } from './process.ts';

/** The Kubernetes version built into the cache when no cluster or assets are given (override: MODSYNC_K8S_VERSION). */
export const DEFAULT_K8S_VERSION = 'v1.36.3';

interface ControlPlaneBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  /** Absent in some KUBEBUILDER_ASSETS folders: then no namespace deletion or garbage collection. */
  kubeControllerManager?: string;
  kubectl: string;
  /** Where the binaries came from, for logs. */
  origin: 'KUBEBUILDER_ASSETS' | 'cache';
}

export interface ControlPlane {
  /** Path of a kubeconfig with embedded admin credentials. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  kubectl: string;
  /** `external` when KUBECONFIG_TEST pointed at an existing cluster. */
  kind: 'local' | 'external';
  processes: ManagedProcess[];
  pki?: TestPki;
  /** Stops kube-apiserver alone (SIGTERM), as an API server outage; etcd keeps the data. Local control planes only. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port and waits until it serves. */
  startApiServer(): Promise<void>;
  stop(): Promise<void>;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds etcd + kube-apiserver (+ kube-controller-manager, kubectl): KUBEBUILDER_ASSETS, else the cache folder,
 * building it there with Go (test/env/build-control-plane.sh) when missing. Fails with what to provide otherwise.
 */
async function resolveControlPlaneBinaries(log: (line: string) => void = () => {}): Promise<ControlPlaneBinaries> {
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (assets) {
    const etcd = join(assets, 'etcd');
    const kubeApiserver = join(assets, 'kube-apiserver');
    if (!existsSync(etcd) || !existsSync(kubeApiserver)) {
      throw new Error(`KUBEBUILDER_ASSETS=${assets} lacks etcd or kube-apiserver`);
    }
    const kcm = join(assets, 'kube-controller-manager');
    const kubectl = existsSync(join(assets, 'kubectl')) ? join(assets, 'kubectl') : which('kubectl');
    if (!kubectl) throw new Error(`no kubectl in KUBEBUILDER_ASSETS=${assets} or on PATH`);
    return {
      dir: assets,
      etcd,
      kubeApiserver,
      kubeControllerManager: existsSync(kcm) ? kcm : undefined,
      kubectl,
      origin: 'KUBEBUILDER_ASSETS',
    };
  }
  const version = process.env.MODSYNC_K8S_VERSION ?? DEFAULT_K8S_VERSION;
  const dir = join(cacheDir(), 'control-plane', version);
  const names = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'];
  if (!names.every((n) => existsSync(join(dir, n)))) {
    if (!which('go')) {
      throw new Error(
        `no Kubernetes control plane: set KUBECONFIG_TEST to a cluster's kubeconfig, or KUBEBUILDER_ASSETS to a folder with ` +
          `etcd and kube-apiserver, or install Go so that ${version} can be built into ${dir}`,
      );
    }
    log(`building the control plane ${version} into ${dir} (about 10 minutes on 2 cores, once per machine)`);
    await run('bash', [join(REPO_ROOT, 'test/env/build-control-plane.sh'), version], { inheritStderr: true });
  }
  return {
    dir,
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
    kubectl: join(dir, 'kubectl'),
    origin: 'cache',
  };
}

function kubeconfigYaml(server: string, caPem: string, certPem: string, keyPem: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: modsync-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64(certPem)}`,
    `    client-key-data: ${b64(keyPem)}`,
    'contexts:',
    '- name: modsync-test',
    '  context:',
    '    cluster: modsync-test',
    '    user: admin',
    'current-context: modsync-test',
    '',
  ].join('\n');
}

/** GET with the admin client certificate; resolves with the status code and body. */
function mtlsGet(
  url: string,
  pki: { ca: string; cert: string; key: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: pki.ca, cert: pki.cert, key: pki.key, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Status of a GET to a component's self-signed health endpoint. */
export function insecureGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export interface StartControlPlaneOptions {
  /** Temp folder for data, certificates, kubeconfig and logs. */
  dir: string;
  log?: (line: string) => void;
  /** Extra kube-apiserver flags (the real-node environment adds kubelet client flags). */
  apiserverArgs?: string[];
  /** Extra kube-controller-manager controllers (the real-node environment adds node-lifecycle-controller and more). */
  controllers?: string[];
  /**
   * Pods get their ServiceAccount's token mounted (the ServiceAccount admission plugin, off by default: without a
   * kubelet no pod runs). The real node turns it on, with root-ca-certificate-publisher-controller for the CA.
   */
  serviceAccountTokens?: boolean;
}

/**
 * Starts etcd + kube-apiserver + kube-controller-manager on free loopback ports, as envtest does, or uses the
 * cluster of KUBECONFIG_TEST. Resolves once /readyz is 200 and namespace `default` exists.
 */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const external = process.env.KUBECONFIG_TEST;
  if (external) {
    const kubectl = which('kubectl');
    if (!kubectl) throw new Error('KUBECONFIG_TEST is set but kubectl is not on PATH');
    const server = /server:\s*(\S+)/.exec(await readFile(external, 'utf8'))?.[1] ?? '';
    const local = async () => {
      throw new Error('an external cluster (KUBECONFIG_TEST) cannot be stopped by the tests');
    };
    return {
      kubeconfig: external,
      server,
      kubectl,
      kind: 'external',
      processes: [],
      stopApiServer: local,
      startApiServer: local,
      async stop() {},
    };
  }

  const bins = await resolveControlPlaneBinaries(log);
  const logDir = join(options.dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const [pki, etcdPort, etcdPeerPort, apiPort, kcmPort] = await Promise.all([
    createTestPki(join(options.dir, 'pki'), 'modsync-test-kubernetes-ca'),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await p.stop();
  };
  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProcess(
      'etcd',
      bins.etcd,
      [
        '--data-dir',
        join(options.dir, 'etcd'),
        '--listen-client-urls',
        etcdUrl,
        '--advertise-client-urls',
        etcdUrl,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeerPort}`,
        '--initial-cluster',
        `default=http://127.0.0.1:${etcdPeerPort}`,
        '--unsafe-no-fsync',
        '--log-level',
        'warn',
      ],
      logDir,
    );
    processes.push(etcd);
    await waitFor(
      'etcd',
      async () => {
        if (etcd.child.exitCode !== null) throw new Error(`etcd exited ${etcd.child.exitCode}, see ${etcd.logFile}`);
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok;
      },
      30_000,
    );

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserverArgs = [
      '--etcd-servers',
      etcdUrl,
      '--secure-port',
      String(apiPort),
      '--bind-address',
      '127.0.0.1',
      '--advertise-address',
      '127.0.0.1',
      '--cert-dir',
      join(options.dir, 'apiserver-certs'),
      '--tls-cert-file',
      pki.serverCert,
      '--tls-private-key-file',
      pki.serverKey,
      '--client-ca-file',
      pki.caCert,
      '--authorization-mode',
      'RBAC',
      '--service-account-issuer',
      `${server}/`,
      '--service-account-key-file',
      pki.saPub,
      '--service-account-signing-key-file',
      pki.saKey,
      '--service-cluster-ip-range',
      '10.0.0.0/24',
      ...(options.serviceAccountTokens ? [] : ['--disable-admission-plugins', 'ServiceAccount']),
      '--endpoint-reconciler-type',
      'none',
      '--allow-privileged=true',
      ...(options.apiserverArgs ?? []),
    ];
    const startApiserver = () => startProcess('kube-apiserver', bins.kubeApiserver, apiserverArgs, logDir);
    let apiserver = startApiserver();
    processes.push(apiserver);

    const [caPem, certPem, keyPem] = await Promise.all(
      [pki.caCert, pki.clientCert, pki.clientKey].map((f) => readFile(f, 'utf8')),
    );
    const creds = { ca: caPem!, cert: certPem!, key: keyPem! };
    const kubeconfig = join(options.dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, creds.ca, creds.cert, creds.key), { mode: 0o600 });
    const apiserverReady = () =>
      waitFor(
        'kube-apiserver',
        async () => {
          if (apiserver.child.exitCode !== null)
            throw new Error(`kube-apiserver exited ${apiserver.child.exitCode}, see ${apiserver.logFile}`);
          if ((await mtlsGet(`${server}/readyz`, creds)).status !== 200) return false;
          return (await mtlsGet(`${server}/api/v1/namespaces/default`, creds)).status === 200;
        },
        90_000,
        250,
      );
    await apiserverReady();

    if (bins.kubeControllerManager) {
      const kcmBinary = bins.kubeControllerManager;
      const startKcm = (port: number) =>
        startProcess(
          'kube-controller-manager',
          kcmBinary,
          [
            '--kubeconfig',
            kubeconfig,
            '--authentication-kubeconfig',
            kubeconfig,
            '--authorization-kubeconfig',
            kubeconfig,
            // What module installs need without a kubelet: namespace deletion, owner-reference GC, service accounts, rollouts.
            '--controllers',
            [
              'namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,deployment-controller,replicaset-controller',
              ...(options.controllers ?? []),
            ].join(','),
            '--service-account-private-key-file',
            pki.saKey,
            '--root-ca-file',
            pki.caCert,
            '--use-service-account-credentials=false',
            '--leader-elect=false',
            '--bind-address',
            '127.0.0.1',
            '--secure-port',
            String(port),
          ],
          logDir,
        );
      // A free port can be taken by another process between the probe and the bind, and the controller manager then
      // exits at once: it is started again on a new port, up to three times (its log keeps every attempt).
      for (let attempt = 1, port = kcmPort; ; attempt++, port = await freePort()) {
        const kcm = startKcm(port);
        const exited = () => kcm.child.exitCode !== null || kcm.child.signalCode !== null;
        await waitFor(
          'kube-controller-manager',
          async () => exited() || (await insecureGet(`https://127.0.0.1:${port}/healthz`)) === 200,
          60_000,
          250,
        );
        if (!exited()) {
          processes.push(kcm);
          break;
        }
        const failure = `kube-controller-manager exited ${kcm.child.exitCode ?? kcm.child.signalCode}, see ${kcm.logFile}`;
        if (attempt === 3) throw new Error(failure);
        log(`${failure} (attempt ${attempt}); starting it again on another port`);
      }
    } else {
      log('kube-controller-manager not found: namespaces will not finish deleting and garbage collection will not run');
    }
    return {
      kubeconfig,
      server,
      kubectl: bins.kubectl,
      kind: 'local',
      processes,
      pki,
      stop,
      async stopApiServer() {
        await apiserver.stop();
      },
      async startApiServer() {
        const index = processes.indexOf(apiserver);
        apiserver = startApiserver();
        processes[index] = apiserver;
        await apiserverReady();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
