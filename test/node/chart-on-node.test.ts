import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { createRegistryClient, parseRegistrySettings, type RegistryClient } from '@modsync/registry';
import { createRedis } from '@modsync/runtime';
import { LEADER_LABEL, RESYNC_ANNOTATION } from '@modsync/syncer';
import { publishModules } from '../../bench/bulk-publisher.ts';
import { findHelm } from '../../services/applier/src/install/helm.ts';
import { removeOrphanContainers } from '../env/containers.ts';
import { ensureDockerEngine } from '../env/docker-engine.ts';
import { ensureLocalImage } from '../env/images.ts';
import { buildModsyncImage } from '../env/modsync-image.ts';
import { freePort, waitFor } from '../env/net.ts';
import { startNodeCluster, type NodeCluster } from '../env/node.ts';
import { REPO_ROOT } from '../env/paths.ts';
import { run, tailLog } from '../env/process.ts';
import { startRedis, type TestRedis } from '../env/redis.ts';
import { startRegistry, type TestRegistry } from '../env/registry.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

// modsync deployed by its own chart (infra/chart, infra/chart/values-test-node.yaml) on the real node
// (test/env/node.ts), its image built and imported into the node's containerd, two syncer and two applier replicas, RBAC
// as shipped; then every command of the guide (../shared/spec/guide.md) run through a shell as written, including the
// ones that reach into modsync's pods (`exec svc/deckhouse-leader`, `logs -l app=deckhouse`); modules whose charts run
// pods (Ready only once available; Error when the pod crashes); then a syncer and an applier pod killed mid-sync.
// Project `node` (root, Docker, containerd from Debian); scripts/test.sh runs it when it runs as root.

const NAMESPACE = 'd8-system';
const RELEASE = 'modsync';
/** The guide's ModuleSource repo path below the registry host. */
const REPO_PATH = 'deckhouse/modules';
/** The second source of the guide's "Switching the module to a different module source". */
const REPO_PATH_2 = 'deckhouse/modules-2';
/** A large source, synced while its syncer and an applier are killed. */
const BULK_PATH = 'bulk/modules';
const BULK_MODULES = 150;
/** The chart's Redis prefix (MODSYNC_REDIS_PREFIX default). */
const REDIS_PREFIX = 'modsync';

const log = (line: string) => process.stderr.write(`[chart-on-node] ${line}\n`);

interface Row {
  command: string;
  expected: string;
  got: string;
  pass: boolean;
}
const rows: Row[] = [];
const timings: [string, number][] = [];

let dir = '';
let cluster: NodeCluster | undefined;
let redis: TestRedis | undefined;
let registry: TestRegistry | undefined;
let registryClient: RegistryClient | undefined;
let publisher: ModulePublisher | undefined;
let publisher2: ModulePublisher | undefined;
let helloImage = '';
let helmInstalled = false;

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([what, Date.now() - started]);
    log(`${what}: ${Date.now() - started} ms`);
  }
}

const kubeEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  KUBECONFIG: cluster!.controlPlane.kubeconfig,
  // The control plane's kubectl first on PATH, for the guide's command lines.
  PATH: `${dirname(cluster!.controlPlane.kubectl)}:${process.env.PATH ?? ''}`,
  // helm's own folders in the temp folder (not ~/.cache/helm, ~/.config/helm).
  HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
  HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
  HELM_DATA_HOME: join(dir, 'helm', 'data'),
});
const kubectl = (args: string[], input?: string) => run(cluster!.controlPlane.kubectl, args, { input, env: kubeEnv() });
const helm = (args: string[]) => run(findHelm(), args, { cwd: REPO_ROOT, env: kubeEnv() });
/** A command line as a user types it (the shell removes the guide's quotes). */
const shell = (commandLine: string) => run('bash', ['-c', commandLine], { env: kubeEnv() });

/** Lines of a `kubectl get` table, cells split on runs of spaces (empty cells vanish, as the guide's rows show). */
const tableRows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
/** Header cells (split on 2+ spaces: `UPDATE POLICY` is one column). */
const header = (out: string) => (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);
const oneLine = (out: string) =>
  out
    .trim()
    .replace(/[ \t]+/g, ' ')
    .split('\n')
    .join(' ⏎ ');

/**
 * Runs `commandLine` through a shell until `check` accepts its output (or `timeoutMs` passes: one run when 0), and
 * records a row of the table. `summary` shortens what the table shows of the output.
 */
async function guide(
  commandLine: string,
  expected: string,
  check: (out: string) => boolean,
  options: {
    timeoutMs?: number;
    summary?: (out: string) => string;
    tableCommand?: string;
    onOutput?: (out: string) => void;
  } = {},
): Promise<Row> {
  let out = '';
  let pass = false;
  const deadline = Date.now() + (options.timeoutMs ?? 0);
  for (;;) {
    try {
      out = await shell(commandLine);
      options.onOutput?.(out);
      pass = check(out);
    } catch (err) {
      out = (err as Error).message;
      pass = false;
    }
    if (pass || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const row = { command: options.tableCommand ?? commandLine, expected, got: (options.summary ?? oneLine)(out), pass };
  rows.push(row);
  return row;
}

function printTable(): void {
  const esc = (s: string) => s.replaceAll('|', '\\|').slice(0, 220);
  const lines = ['', '| command | expected | got | pass |', '|---|---|---|---|'];
  for (const r of rows)
    lines.push(`| \`${esc(r.command)}\` | ${esc(r.expected)} | ${esc(r.got)} | ${r.pass ? 'PASS' : 'FAIL'} |`);
  lines.push('', `timings (ms): ${timings.map(([w, ms]) => `${w} ${ms}`).join('; ')}`, '');
  process.stderr.write(`${lines.join('\n')}\n`);
}

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status: {
      phase?: string;
      conditions?: { type: string; status: string }[];
      containerStatuses?: { restartCount: number }[];
    };
  }[];
}
const podsOf = async (component: string) =>
  (
    JSON.parse(
      await kubectl(['-n', NAMESPACE, 'get', 'pods', '-l', `app.kubernetes.io/component=${component}`, '-o', 'json']),
    ) as PodList
  ).items;
const isReady = (pod: PodList['items'][number]) =>
  pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function deploymentAvailable(name: string): Promise<boolean> {
  const d = JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'deployment', name, '-o', 'json'])) as {
    spec: { replicas: number };
    status: { availableReplicas?: number; updatedReplicas?: number; replicas?: number };
  };
  return d.status.availableReplicas === d.spec.replicas && d.status.replicas === d.spec.replicas;
}

/** What went wrong in d8-system: pods, events, the services' logs (current and previous containers). */
async function diagnose(): Promise<void> {
  const parts = await Promise.all(
    [
      kubectl(['-n', NAMESPACE, 'get', 'pods', '-o', 'wide']),
      kubectl(['-n', NAMESPACE, 'describe', 'pods']),
      kubectl(['-n', NAMESPACE, 'logs', '-l', 'app=deckhouse', '--all-containers', '--tail=40', '--prefix']),
      kubectl([
        '-n',
        NAMESPACE,
        'logs',
        '-l',
        'app=deckhouse',
        '--all-containers',
        '--tail=40',
        '--prefix',
        '--previous',
      ]),
    ].map((p) => p.catch((e: Error) => e.message)),
  );
  process.stderr.write(`\n----- d8-system -----\n${parts.join('\n')}\n`);
  for (const p of cluster?.node.processes ?? [])
    process.stderr.write(`\n----- ${p.logFile} (tail) -----\n${tailLog(p.logFile, 20)}\n`);
}

async function syncTime(): Promise<string> {
  return (await kubectl(['get', 'ms', 'example', '-o', 'jsonpath={.status.syncTime}'])).trim();
}

async function leaderPod(): Promise<string | undefined> {
  return (await podsOf('syncer')).find((p) => p.metadata.labels?.[LEADER_LABEL] === 'true' && isReady(p))?.metadata
    .name;
}

/** Revision of the helm release the applier installed module-one as (helm run with the admin kubeconfig). */
async function moduleOneRevision(): Promise<number> {
  const releases = JSON.parse(await helm(['list', '-A', '-o', 'json'])) as {
    name: string;
    namespace: string;
    revision: string;
  }[];
  const release = releases.find((r) => r.name === 'module-one');
  if (!release)
    throw new Error(`no helm release module-one: ${releases.map((r) => `${r.namespace}/${r.name}`).join(', ')}`);
  return Number(release.revision);
}

describe.runIf(process.getuid?.() === 0)('modsync deployed by its chart on a real node; the guide verbatim', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modsync-chart-node-'));
    const logDir = join(dir, 'logs');
    await mkdir(logDir, { recursive: true });
    const started = Date.now();
    // One Docker engine for all (the node's, Redis', the registry's): started here if none answers, left running.
    await ensureDockerEngine(log);
    await removeOrphanContainers();
    let imageTag = '';
    let helloTag = '';
    const results = await Promise.allSettled([
      timed('control plane + node Ready', async () => {
        cluster = await startNodeCluster({ dir: join(dir, 'cluster'), log });
      }),
      timed('Redis', async () => {
        redis = await startRedis({ logDir, log });
      }),
      timed('registry', async () => {
        registry = await startRegistry({ logDir, dir, log });
      }),
      timed('image build (buildModsyncImage)', async () => {
        imageTag = (await buildModsyncImage({ log })).tag;
      }),
      timed('hello image (modules’ workload)', async () => {
        helloTag = await ensureLocalImage('hello', undefined, log);
      }),
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const image = await timed('image import into containerd', () => cluster!.node.importImage(imageTag));
    log(`modsync image in containerd as ${image}`);
    helloImage = await timed('hello image import into containerd', () => cluster!.node.importImage(helloTag));

    const apiPort = new URL(cluster!.controlPlane.server).port;
    await timed('helm install', async () => {
      helmInstalled = true;
      await helm([
        'install',
        RELEASE,
        'infra/chart',
        '--namespace',
        NAMESPACE,
        '--create-namespace',
        '-f',
        'infra/chart/values-test-node.yaml',
        '--set',
        `apiServer.port=${apiPort}`,
        '--set',
        `redis.url=${redis!.url}`,
      ]);
    });
    await timed('Deployments Available', async () => {
      try {
        await waitFor(
          'deckhouse-syncer and deckhouse-applier Available',
          async () =>
            (await deploymentAvailable('deckhouse-syncer')) && (await deploymentAvailable('deckhouse-applier')),
          240_000,
          500,
        );
        await waitFor(
          'a leading syncer (modsync.io/leader=true)',
          async () => (await leaderPod()) !== undefined,
          60_000,
          500,
        );
      } catch (err) {
        await diagnose();
        throw err;
      }
    });
    timings.push(['start-up in all', Date.now() - started]);

    registryClient = createRegistryClient();
    publisher = new ModulePublisher(
      registryClient,
      parseRegistrySettings({ repo: `${registry!.host}/${REPO_PATH}`, scheme: 'HTTP' }),
      REPO_PATH,
    );
    await publisher.publish({ module: 'module-one', version: 'v0.7.23', weight: 910 });
    await publisher.publish({
      module: 'module-one',
      version: 'v0.7.24',
      weight: 910,
      channels: ['stable'],
      requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' },
    });
    await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
    publisher2 = new ModulePublisher(
      registryClient,
      parseRegistrySettings({ repo: `${registry!.host}/${REPO_PATH_2}`, scheme: 'HTTP' }),
      REPO_PATH_2,
    );
  }, 900_000);

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && cluster) await diagnose();
  }, 60_000);

  afterAll(async () => {
    printTable();
    const started = Date.now();
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        log(`tear-down, ${what}: ${(err as Error).message}`);
      }
    };
    if (helmInstalled && cluster)
      await attempt('helm uninstall', () => helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--timeout', '60s']));
    await attempt('registry client', async () => registryClient?.close());
    await attempt('node cluster', async () => cluster?.stop());
    await attempt('Redis', async () => redis?.stop());
    await attempt('registry', async () => registry?.stop());
    if (dir) await rm(dir, { recursive: true, force: true });
    log(`torn down in ${Date.now() - started} ms`);
  }, 180_000);

  it('runs as shipped: in-cluster ServiceAccount tokens, no admin credentials in the pods, images from containerd', async () => {
    const deployments = JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'deployments', '-o', 'json'])) as {
      items: { metadata: { name: string }; spec: { replicas: number; template: { spec: Record<string, any> } } }[];
    };
    expect(deployments.items.map((d) => d.metadata.name).sort()).toEqual(['deckhouse-applier', 'deckhouse-syncer']);
    for (const d of deployments.items) {
      const pod = d.spec.template.spec;
      expect(pod.serviceAccountName).toBe(d.metadata.name);
      expect(pod.hostNetwork).toBe(true);
      expect(pod.containers[0].imagePullPolicy).toBe('Never');
      // No kubeconfig, no mounted credentials other than the projected ServiceAccount token.
      const env = (pod.containers[0].env as { name: string }[]).map((e) => e.name);
      expect(env).not.toContain('KUBECONFIG');
      expect(env).toEqual(expect.arrayContaining(['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']));
      expect((pod.volumes as { secret?: unknown }[]).filter((v) => v.secret)).toEqual([]);
      // A port per replica on the shared host network (http.*Port 0): probed by exec, not by the kubelet's HTTP GET.
      expect(d.spec.replicas).toBe(2);
      expect(pod.containers[0].ports).toBeUndefined();
      expect(pod.containers[0].readinessProbe.exec.command).toEqual(['modsync-probe', '/readyz']);
    }
    // Two replicas of each on one host's network: each bound a free port of its own and serves its own /metrics there.
    for (const component of ['syncer', 'applier']) {
      const pods = await podsOf(component);
      expect(pods.map(isReady)).toEqual([true, true]);
      const ports = await Promise.all(
        pods.map(async (p) =>
          Number(
            await kubectl(['-n', NAMESPACE, 'exec', p.metadata.name, '-c', 'deckhouse', '--', 'cat', '/tmp/http-port']),
          ),
        ),
      );
      expect(new Set(ports).size).toBe(2);
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(
          component === 'syncer'
            ? /^# TYPE modsync_syncs_total counter/m
            : /^# TYPE modsync_applier_writes_total counter/m,
        );
      }
    }
    // Each pod authenticates as its ServiceAccount (the token the kubelet projected), not as an admin.
    const whoami = await kubectl([
      '-n',
      NAMESPACE,
      'exec',
      'deploy/deckhouse-applier',
      '-c',
      'deckhouse',
      '--',
      'cat',
      '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
    ]);
    expect(whoami).toBe(NAMESPACE);
    expect(
      await kubectl([
        'auth',
        'can-i',
        'create',
        'secrets',
        '-n',
        NAMESPACE,
        `--as=system:serviceaccount:${NAMESPACE}:deckhouse-syncer`,
      ]).catch((e: Error) => e.message),
    ).toMatch(/\bno\s*$/);
  });

  it('the guide: ModuleSource synced, modules listed, module-one enabled through deckhouse-controller in the leader pod until Ready', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      `apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata:
  name: example
spec:
  registry:
    repo: ${registry!.host}/${REPO_PATH}
    scheme: HTTP
`,
    );
    const walk = Date.now();
    const results: Row[] = [];
    results.push(
      await guide(
        'kubectl get ms',
        'NAME COUNT SYNC MSG; example 2 <age> Ready',
        (out) =>
          JSON.stringify(header(out)) === JSON.stringify(['NAME', 'COUNT', 'SYNC', 'MSG']) &&
          /^example\s+2\s+\d+s\s+Ready$/m.test(out),
        { timeoutMs: 60_000 },
      ),
    );
    results.push(
      await guide(
        `kubectl get ms example -o jsonpath='{.status.modules[*].name}'`,
        'module-one module-two',
        (out) => out === 'module-one module-two',
      ),
    );
    results.push(
      await guide(
        `kubectl get ms  -o jsonpath='{.items[*].status.modules[*].name}'`,
        'module-one module-two',
        (out) => out === 'module-one module-two',
      ),
    );
    results.push(
      await guide(
        'kubectl get module',
        'NAME WEIGHT SOURCE PHASE ENABLED READY; module-one Available False False; module-two Available False False',
        (out) =>
          JSON.stringify(header(out)) === JSON.stringify(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']) &&
          JSON.stringify(tableRows(out).slice(1)) ===
            JSON.stringify([
              ['module-one', 'Available', 'False', 'False'],
              ['module-two', 'Available', 'False', 'False'],
            ]),
        { timeoutMs: 30_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl get module module-one -oyaml',
        'availableSources [example]; phase Available; EnabledByModuleConfig False Disabled; IsReady False NotInstalled',
        (out) => {
          const m = parse(out) as {
            properties?: { availableSources?: string[] };
            status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] };
          };
          const c = Object.fromEntries(
            (m.status?.conditions ?? []).map((x) => [x.type, `${x.status} ${x.reason ?? ''}`.trim()]),
          );
          return (
            JSON.stringify(m.properties?.availableSources) === '["example"]' &&
            m.status?.phase === 'Available' &&
            c['EnabledByModuleConfig'] === 'False Disabled' &&
            c['EnabledByModuleManager'] === 'False' &&
            c['IsReady'] === 'False NotInstalled'
          );
        },
        {
          summary: (out) => {
            const m = parse(out) as Record<string, any>;
            return `availableSources ${JSON.stringify(m?.properties?.availableSources)}; phase ${m?.status?.phase}; ${(m?.status?.conditions ?? []).map((x: any) => `${x.type} ${x.status} ${x.reason ?? ''}`.trim()).join(', ')}`;
          },
        },
      ),
    );

    // The guide's `kubectl -ti -n d8-system exec …`, without -ti: the test has no terminal (kubectl would only warn).
    results.push(
      await guide(
        'kubectl -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable module-one',
        'Module module-one enabled',
        (out) => out.trim() === 'Module module-one enabled',
      ),
    );
    const phases: string[] = [];
    results.push(
      await guide(
        'kubectl get module module-one',
        'module-one 910 example Ready True True (after Downloading, Installing)',
        (out) =>
          JSON.stringify(header(out)) === JSON.stringify(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']) &&
          JSON.stringify(tableRows(out)[1]) ===
            JSON.stringify(['module-one', '910', 'example', 'Ready', 'True', 'True']),
        {
          timeoutMs: 120_000,
          onOutput: (out) => {
            const phase = tableRows(out)[1]?.find((c) =>
              ['Available', 'Downloading', 'Installing', 'Ready', 'Error', 'Conflict'].includes(c),
            );
            if (phase && phases.at(-1) !== phase) phases.push(phase);
          },
          summary: (out) => `${oneLine(out)} (phases seen: ${phases.join(' → ')})`,
        },
      ),
    );
    results.push(
      await guide(
        'kubectl get module module-one -oyaml',
        'version v0.7.24, source example, weight 910, releaseChannel Stable; phase Ready; IsReady True',
        (out) => {
          const m = parse(out) as {
            properties?: Record<string, unknown>;
            status?: { phase?: string; conditions?: { type: string; status: string }[] };
          };
          return (
            m.properties?.['version'] === 'v0.7.24' &&
            m.properties?.['source'] === 'example' &&
            m.properties?.['weight'] === 910 &&
            m.properties?.['releaseChannel'] === 'Stable' &&
            m.status?.phase === 'Ready' &&
            m.status?.conditions?.find((c) => c.type === 'IsReady')?.status === 'True'
          );
        },
        {
          summary: (out) => {
            const m = parse(out) as Record<string, any>;
            return `${JSON.stringify(m?.properties)}; phase ${m?.status?.phase}`;
          },
        },
      ),
    );
    results.push(
      await guide(
        'kubectl get mr',
        'NAME PHASE UPDATE POLICY TRANSITIONTIME MESSAGE; module-one-v0.7.24 Deployed deckhouse <age>',
        (out) =>
          JSON.stringify(header(out)) ===
            JSON.stringify(['NAME', 'PHASE', 'UPDATE POLICY', 'TRANSITIONTIME', 'MESSAGE']) &&
          out.split('\n').some((l) => /^module-one-v0\.7\.24\s+Deployed\s+deckhouse\s+\d+[smh]$/.test(l.trim())),
        { timeoutMs: 10_000 },
      ),
    );
    // The module's chart really installed by helm inside the applier pod.
    results.push(
      await guide(
        'kubectl -n d8-module-one get configmap module-one -o jsonpath={.data.version}',
        'v0.7.24 (installed by the applier pod’s helm)',
        (out) => out === 'v0.7.24',
        { timeoutMs: 10_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl -n d8-system logs -l app=deckhouse',
        'JSON log lines of "service":"syncer" and "service":"applier"',
        (out) => {
          const services = new Set(
            out.split('\n').flatMap((l) => {
              try {
                return [(JSON.parse(l) as { service?: string }).service];
              } catch {
                return [];
              }
            }),
          );
          return services.has('syncer') && services.has('applier');
        },
        {
          timeoutMs: 10_000,
          summary: (out) => {
            const json = out.split('\n').filter((l) => l.startsWith('{'));
            const services = [
              ...new Set(
                json.map((l) => {
                  try {
                    return String((JSON.parse(l) as { service?: string }).service);
                  } catch {
                    return '?';
                  }
                }),
              ),
            ].sort();
            return `${out.trim().split('\n').length} lines, ${json.length} JSON; services: ${services.join(', ')}`;
          },
        },
      ),
    );
    // The guide's exact line, -ti included: kubectl warns that stdin is no terminal and runs it all the same.
    results.push(
      await guide(
        'kubectl -ti -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable module-one 2>/dev/null',
        'Module module-one is already enabled',
        (out) => out.trim() === 'Module module-one is already enabled',
      ),
    );
    timings.push(['guide walk', Date.now() - walk]);
    for (const r of results) expect(r.pass, `${r.command}\n  expected: ${r.expected}\n  got: ${r.got}`).toBe(true);
    expect(phases.at(-1)).toBe('Ready');
    for (const phase of phases) expect(['Available', 'Downloading', 'Installing', 'Ready']).toContain(phase);
  }, 300_000);

  it('the rest of the guide: Error, Ignored, pull errors, kubectl get modules, Conflict, switching sources, a Manual update policy', async () => {
    const results: Row[] = [];
    const moduleRow = (name: string, cells: string[]) => (out: string) =>
      JSON.stringify(header(out)) === JSON.stringify(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']) &&
      JSON.stringify(tableRows(out).find((r) => r[0] === name)) === JSON.stringify(cells);
    const resync = (source: string) =>
      kubectl(['annotate', 'ms', source, `${RESYNC_ANNOTATION}=${Date.now()}`, '--overwrite']);

    // "In case of any errors, the module will enter the Error phase": settings its schema refuses.
    await kubectl([
      'patch',
      'moduleconfig',
      'module-one',
      '--type=merge',
      '-p',
      '{"spec":{"settings":{"message":42}}}',
    ]);
    results.push(
      await guide(
        'kubectl get module module-one',
        'module-one 910 example Error True Error',
        moduleRow('module-one', ['module-one', '910', 'example', 'Error', 'True', 'Error']),
        { timeoutMs: 60_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl get moduleconfig module-one',
        'module-one true <age> Error: settings.message must be string',
        (out) => /^module-one\s+true\s+\d+[smh]\s+Error: settings\.message must be string$/m.test(out),
        { timeoutMs: 30_000 },
      ),
    );
    await kubectl([
      'patch',
      'moduleconfig',
      'module-one',
      '--type=merge',
      '-p',
      '{"spec":{"settings":{"message":"fixed"}}}',
    ]);
    results.push(
      await guide(
        'kubectl get module module-one',
        'module-one 910 example Ready True True (settings fixed)',
        moduleRow('module-one', ['module-one', '910', 'example', 'Ready', 'True', 'True']),
        { timeoutMs: 90_000 },
      ),
    );

    // Troubleshooting: a ModuleConfig of a module nobody offers.
    await kubectl(
      ['apply', '-f', '-'],
      'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata:\n  name: module-1\nspec:\n  enabled: true\n',
    );
    results.push(
      await guide(
        'kubectl get moduleconfig module-1',
        'NAME ENABLED VERSION AGE MESSAGE; module-1 true <age> Ignored: unknown module name',
        (out) =>
          JSON.stringify(header(out)) === JSON.stringify(['NAME', 'ENABLED', 'VERSION', 'AGE', 'MESSAGE']) &&
          /^module-1\s+true\s+\d+[smh]\s+Ignored: unknown module name$/m.test(out),
        { timeoutMs: 30_000 },
      ),
    );

    // Synchronization errors: a module listed in the source whose release channel image is missing, enabled.
    await publisher!.listModule('module-three');
    await kubectl(
      ['apply', '-f', '-'],
      'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata:\n  name: module-three\nspec:\n  enabled: true\n',
    );
    await resync('example');
    results.push(
      await guide(
        'kubectl get ms',
        'example 3 <age> Some errors occurred. Inspect status for details',
        (out) => /^example\s+3\s+\d+[smh]\s+Some errors occurred\. Inspect status for details$/m.test(out),
        { timeoutMs: 60_000 },
      ),
    );
    const pullError = `module-three module error:\n\tget image info: fetch image error: GET http://${registry!.host}/v2/${REPO_PATH}/module-three/release/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]\n`;
    results.push(
      await guide(
        `kubectl get ms example -o jsonpath='{range .status.modules[*]}{.name}{" module error:\\n\\t"}{.pullError}{"\\n"}{end}'`,
        'module-three module error: ⏎ get image info: fetch image error: GET http://<registry>/v2/deckhouse/modules/module-three/release/manifests/stable: MANIFEST_UNKNOWN: manifest unknown; map[Tag:stable]',
        (out) => out.includes(pullError),
      ),
    );

    // Enabling the module: "kubectl get modules" lists what can be enabled.
    results.push(
      await guide(
        'kubectl get modules',
        'NAME WEIGHT SOURCE PHASE ENABLED READY; … module-two Available False False …',
        moduleRow('module-two', ['module-two', 'Available', 'False', 'False']),
      ),
    );

    // Several sources offer module-two and its ModuleConfig picks none: Conflict; spec.source resolves it.
    await publisher2!.publish({ module: 'module-two', version: 'v1.2.4', channels: ['stable'] });
    await kubectl(
      ['apply', '-f', '-'],
      `apiVersion: deckhouse.io/v1alpha1\nkind: ModuleSource\nmetadata:\n  name: example-2\nspec:\n  registry:\n    repo: ${registry!.host}/${REPO_PATH_2}\n    scheme: HTTP\n`,
    );
    results.push(
      await guide(
        'kubectl get ms',
        'example 3 … ; example-2 1 <age> Ready',
        (out) => /^example-2\s+1\s+\d+[smh]\s+Ready$/m.test(out),
        { timeoutMs: 60_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl -ti -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable module-two 2>/dev/null',
        'Module module-two enabled',
        (out) => out.trim() === 'Module module-two enabled',
      ),
    );
    results.push(
      await guide(
        'kubectl get module module-two',
        'module-two Conflict False False',
        moduleRow('module-two', ['module-two', 'Conflict', 'False', 'False']),
        { timeoutMs: 60_000 },
      ),
    );
    await kubectl(['patch', 'moduleconfig', 'module-two', '--type=merge', '-p', '{"spec":{"source":"example"}}']);
    results.push(
      await guide(
        'kubectl get module module-two',
        'module-two 900 example Ready True True (spec.source: example)',
        moduleRow('module-two', ['module-two', '900', 'example', 'Ready', 'True', 'True']),
        { timeoutMs: 90_000 },
      ),
    );

    // Switching the module to a different module source: new releases come from it.
    await kubectl(['patch', 'moduleconfig', 'module-two', '--type=merge', '-p', '{"spec":{"source":"example-2"}}']);
    results.push(
      await guide(
        'kubectl get mr',
        'module-two-v1.2.3 Superseded; module-two-v1.2.4 Deployed (from example-2)',
        (out) => /^module-two-v1\.2\.3\s+Superseded\s/m.test(out) && /^module-two-v1\.2\.4\s+Deployed\s/m.test(out),
        { timeoutMs: 90_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl get module module-two',
        'module-two 900 example-2 Ready True True',
        moduleRow('module-two', ['module-two', '900', 'example-2', 'Ready', 'True', 'True']),
        { timeoutMs: 90_000 },
      ),
    );

    // Module update policy: the guide's example as written, then Manual: a new release waits for approval.
    results.push(
      await guide(
        `kubectl apply -f - <<'YAML'
apiVersion: deckhouse.io/v1alpha2
kind: ModuleUpdatePolicy
metadata:
  name: example-update-policy
spec:
  releaseChannel: Alpha
  update:
    mode: Auto
    windows:
    - days:
      - "Mon"
      - "Wed"
      from: "13:30"
      to: "14:00"
YAML`,
        'moduleupdatepolicy.deckhouse.io/example-update-policy created',
        (out) => out.trim() === 'moduleupdatepolicy.deckhouse.io/example-update-policy created',
        { tableCommand: 'kubectl apply -f <the guide’s ModuleUpdatePolicy example>' },
      ),
    );
    await kubectl([
      'patch',
      'mup',
      'example-update-policy',
      '--type=merge',
      '-p',
      '{"spec":{"releaseChannel":"Stable","update":{"mode":"Manual","windows":null}}}',
    ]);
    await kubectl([
      'patch',
      'moduleconfig',
      'module-two',
      '--type=merge',
      '-p',
      '{"spec":{"updatePolicy":"example-update-policy"}}',
    ]);
    // The appliers have seen the policy before the new version arrives (else the release is labelled with the old one).
    await waitFor(
      'module-two under example-update-policy',
      async () =>
        (await kubectl(['get', 'module', 'module-two', '-o', 'jsonpath={.properties.updatePolicy}'])) ===
        'example-update-policy',
      60_000,
      250,
    );
    await publisher2!.publish({ module: 'module-two', version: 'v1.3.0', channels: ['stable'] });
    await resync('example-2');
    results.push(
      await guide(
        'kubectl get mr',
        `module-two-v1.3.0 Pending example-update-policy <age> Waiting for the 'release.deckhouse.io/approved: "true"' annotation`,
        (out) =>
          /^module-two-v1\.3\.0\s+Pending\s+example-update-policy\s+\d+[smh]\s+Waiting for the 'release\.deckhouse\.io\/approved: "true"' annotation$/m.test(
            out,
          ),
        { timeoutMs: 60_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl annotate mr module-two-v1.3.0 modules.deckhouse.io/approved="true"',
        'modulerelease.deckhouse.io/module-two-v1.3.0 annotated',
        (out) => out.trim() === 'modulerelease.deckhouse.io/module-two-v1.3.0 annotated',
      ),
    );
    results.push(
      await guide(
        'kubectl get mr',
        'module-two-v1.2.4 Superseded; module-two-v1.3.0 Deployed',
        (out) => /^module-two-v1\.2\.4\s+Superseded\s/m.test(out) && /^module-two-v1\.3\.0\s+Deployed\s/m.test(out),
        { timeoutMs: 60_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl get module module-two',
        'module-two 900 example-2 Ready True True (v1.3.0)',
        moduleRow('module-two', ['module-two', '900', 'example-2', 'Ready', 'True', 'True']),
        { timeoutMs: 90_000 },
      ),
    );
    results.push(
      await guide(
        'kubectl -n d8-module-two get configmap module-two -o jsonpath={.data.version}',
        'v1.3.0',
        (out) => out === 'v1.3.0',
        { timeoutMs: 30_000 },
      ),
    );

    for (const r of results) expect(r.pass, `${r.command}\n  expected: ${r.expected}\n  got: ${r.got}`).toBe(true);
  }, 900_000);

  it('modules’ pods really run: Ready only once the workload is available; a crashing pod puts the module in Error', async () => {
    const deployment = (module: string, port: number, crash: boolean) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${module}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${module}}}
  template:
    metadata: {labels: {app: ${module}}}
    spec:
      hostNetwork: true
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${helloImage}
          imagePullPolicy: Never
          env: [{name: PORT, value: "${port}"}]
${crash ? '          command: ["/bin/sh", "-c", "echo crashing; exit 1"]\n' : ''}          readinessProbe:
            httpGet: {path: /, port: ${port}, host: 127.0.0.1}
            periodSeconds: 1
`;
    await publisher!.publish({
      module: 'web',
      version: 'v1.0.0',
      channels: ['stable'],
      bundleFiles: { 'templates/deployment.yaml': deployment('web', await freePort(), false) },
    });
    await publisher!.publish({
      module: 'crashy',
      version: 'v1.0.0',
      channels: ['stable'],
      bundleFiles: { 'templates/deployment.yaml': deployment('crashy', await freePort(), true) },
    });
    await kubectl(['annotate', 'ms', 'example', `${RESYNC_ANNOTATION}=${Date.now()}`, '--overwrite']);
    const started = Date.now();
    for (const name of ['web', 'crashy']) {
      const row = await guide(
        `kubectl -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable ${name}`,
        `Module ${name} enabled`,
        (out) => out.trim() === `Module ${name} enabled`,
        { timeoutMs: 60_000 },
      );
      expect(row.pass, row.got).toBe(true);
    }
    // Ready means the Deployment is available: when the Module turns Ready its pod already answers its probe.
    const web = await guide(
      'kubectl get module web',
      'web 900 example Ready True True, once deployment/web is available',
      (out) => JSON.stringify(tableRows(out)[1]) === JSON.stringify(['web', '900', 'example', 'Ready', 'True', 'True']),
      { timeoutMs: 120_000 },
    );
    const availableWhenReady = Number(
      await kubectl(['-n', 'd8-web', 'get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}']),
    );
    timings.push(['module with a workload: enable → Ready', Date.now() - started]);
    expect(web.pass, web.got).toBe(true);
    expect(availableWhenReady).toBe(1);
    const crashy = await guide(
      'kubectl get module crashy',
      'crashy 900 example Error True Error',
      (out) =>
        JSON.stringify(tableRows(out)[1]) === JSON.stringify(['crashy', '900', 'example', 'Error', 'True', 'Error']),
      { timeoutMs: 150_000 },
    );
    expect(crashy.pass, crashy.got).toBe(true);
    const message = await guide(
      `kubectl get module crashy -o jsonpath='{.status.conditions[?(@.type=="IsReady")].message}'`,
      'helm upgrade --install crashy: … crashy … not ready …',
      (out) => /^helm upgrade --install crashy: /.test(out) && /crashy/.test(out.slice(30)),
      { summary: (out) => out.slice(0, 200) },
    );
    expect(message.pass, message.got).toBe(true);
  }, 420_000);

  it('a syncer pod and an applier pod killed mid-sync: the Deployments replace them, the work is finished once, nothing is lost', async () => {
    const revisionBefore = await moduleOneRevision();
    const redisClient = createRedis({ target: redis!.url, name: 'chart-on-node' });
    const killed: Record<string, string> = {};
    const kill = async (component: string, pod: string, note: string) => {
      killed[component] = pod;
      const row = await guide(
        `kubectl -n d8-system delete pod ${pod} --grace-period=0 --force`,
        `pod "<${component} pod>" force deleted from d8-system namespace`,
        (out) => out.trim() === `pod "${pod}" force deleted from d8-system namespace`,
        { tableCommand: `kubectl -n d8-system delete pod <${component} pod, ${note}> --grace-period=0 --force` },
      );
      expect(row.pass, row.got).toBe(true);
    };
    const bulkModules = async () =>
      (await kubectl(['get', 'module', '-o', 'name']))
        .split('\n')
        .filter((l) => l.startsWith('module.deckhouse.io/bulk-')).length;
    try {
      // A large source: its first sync reads every module's release image, several seconds at the registry budget.
      const modules = Array.from({ length: BULK_MODULES }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
      await publishModules({
        client: registryClient!,
        settings: parseRegistrySettings({ repo: `${registry!.host}/${BULK_PATH}`, scheme: 'HTTP' }),
        modules,
      });
      const started = Date.now();
      await kubectl(
        ['apply', '-f', '-'],
        `apiVersion: deckhouse.io/v1alpha1\nkind: ModuleSource\nmetadata:\n  name: bulk\nspec:\n  registry:\n    repo: ${registry!.host}/${BULK_PATH}\n    scheme: HTTP\n`,
      );
      // The source's lock names the syncer replica that is syncing it (`<pod>/<random>`): that one is killed mid-sync.
      let holder = '';
      await waitFor(
        'a syncer syncing bulk',
        async () => {
          holder = (await redisClient.get(`${REDIS_PREFIX}:sync-lock:bulk`))?.split('/')[0] ?? '';
          return holder !== '';
        },
        60_000,
        20,
      );
      await kill('syncer', holder, 'the one syncing bulk');
      // Then an applier, while the Modules of the source are being created (by the other syncer's events).
      let seen = 0;
      await waitFor(
        'bulk Modules being created',
        async () => {
          seen = await bulkModules();
          return seen > 0;
        },
        180_000,
        100,
      );
      const [applier] = await podsOf('applier');
      await kill('applier', applier!.metadata.name, `${seen} of ${BULK_MODULES} Modules created`);

      await waitFor(
        'replacement pods Ready, Deployments Available',
        async () => {
          for (const component of ['syncer', 'applier']) {
            const pods = await podsOf(component);
            if (pods.some((p) => p.metadata.name === killed[component]) || pods.length !== 2 || !pods.every(isReady))
              return false;
            if (!(await deploymentAvailable(`deckhouse-${component}`))) return false;
          }
          return true;
        },
        180_000,
        500,
      );
      timings.push(['pods replaced (kill → both Deployments Available)', Date.now() - started]);
      await waitFor('a leading syncer', async () => (await leaderPod()) !== undefined, 120_000, 500);

      // Nothing lost: the source's status and every Module, all events handled (none pending, none dead-lettered).
      const status = await guide(
        'kubectl get ms bulk',
        `bulk ${BULK_MODULES} <age> Ready`,
        (out) => new RegExp(`^bulk\\s+${BULK_MODULES}\\s+\\d+[smh]\\s+Ready$`, 'm').test(out),
        { timeoutMs: 180_000 },
      );
      expect(status.pass, status.got).toBe(true);
      const all = await guide(
        'kubectl get module -o name | grep -c bulk-',
        String(BULK_MODULES),
        (out) => out.trim() === String(BULK_MODULES),
        { timeoutMs: 120_000 },
      );
      expect(all.pass, all.got).toBe(true);
      timings.push(['bulk source: created → all Modules (through both kills)', Date.now() - started]);
      const stream = `{${REDIS_PREFIX}:events}:discovery`;
      let pending = -1;
      await waitFor(
        'no discovery event pending for the applier group',
        async () => {
          pending = Number(((await redisClient.call('XPENDING', stream, 'applier')) as [number])[0]);
          return pending === 0;
        },
        120_000,
        500,
      );
      const deadLetters = Number(await redisClient.xlen(`{${REDIS_PREFIX}:events}:dead-letter:applier`));
      rows.push({
        command: `redis XPENDING ${stream} applier; XLEN …:dead-letter:applier`,
        expected: '0 pending, 0 dead letters',
        got: `${pending} pending, ${deadLetters} dead letters`,
        pass: pending === 0 && deadLetters === 0,
      });
      expect(deadLetters).toBe(0);
      // Finished once: one sync of bulk completed with changes (the killed replica never completed its own), on the live pods.
      const syncLog = await kubectl(['-n', NAMESPACE, 'logs', '-l', 'app.kubernetes.io/component=syncer', '--tail=-1']);
      const completed = syncLog
        .split('\n')
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as { msg?: string; source?: string; events?: number }];
          } catch {
            return [];
          }
        })
        .filter((l) => l.msg === 'source synced' && l.source === 'bulk');
      const withChanges = completed.filter((l) => (l.events ?? 0) > 0).length;
      rows.push({
        command: 'kubectl -n d8-system logs -l app.kubernetes.io/component=syncer (source synced, bulk)',
        expected: 'one completed sync with changes',
        got: `${completed.length} completed, ${withChanges} with changes`,
        pass: withChanges === 1,
      });
      expect(withChanges).toBe(1);
    } finally {
      redisClient.disconnect();
    }

    // Work resumes: a new version of module-one, found by a resync the restarted syncer runs (the sources' own interval
    // is 3m) and deployed by the restarted applier; syncTime moves with the status change (an idle resync writes nothing).
    const before = await syncTime();
    await publisher!.publish({
      module: 'module-one',
      version: 'v0.7.25',
      weight: 910,
      channels: ['stable'],
      requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' },
    });
    const resyncStarted = Date.now();
    const annotate = await guide(
      `kubectl annotate ms example ${RESYNC_ANNOTATION}=${Date.now()} --overwrite`,
      'modulesource.deckhouse.io/example annotated',
      (out) => out.trim() === 'modulesource.deckhouse.io/example annotated',
      { tableCommand: `kubectl annotate ms example ${RESYNC_ANNOTATION}=<ts> --overwrite` },
    );
    expect(annotate.pass, annotate.got).toBe(true);
    const status = await guide(
      `kubectl get ms example -o jsonpath='{.status.modules[?(@.name=="module-one")].version} {.status.syncTime}'`,
      `v0.7.25 <syncTime later than ${before}>`,
      (out) => {
        const [version, time] = out.split(' ');
        return version === 'v0.7.25' && Date.parse(time ?? '') > Date.parse(before);
      },
      { timeoutMs: 60_000 },
    );
    timings.push(['resync after restart (annotate → status)', Date.now() - resyncStarted]);
    expect(status.pass, status.got).toBe(true);

    const mr = await guide(
      'kubectl get mr',
      'module-one-v0.7.24 Superseded; module-one-v0.7.25 Deployed',
      (out) =>
        tableRows(out)
          .slice(1)
          .filter((r) => r[0]?.startsWith('module-one-'))
          .map((r) => `${r[0]} ${r[1]}`)
          .join(', ') === 'module-one-v0.7.24 Superseded, module-one-v0.7.25 Deployed',
      { timeoutMs: 90_000 },
    );
    expect(mr.pass, mr.got).toBe(true);
    const ready = await guide(
      'kubectl get module module-one',
      'module-one 910 example Ready True True',
      (out) =>
        JSON.stringify(tableRows(out)[1]) === JSON.stringify(['module-one', '910', 'example', 'Ready', 'True', 'True']),
      { timeoutMs: 60_000 },
    );
    expect(ready.pass, ready.got).toBe(true);
    const installed = await guide(
      'kubectl -n d8-module-one get configmap module-one -o jsonpath={.data.version}',
      'v0.7.25',
      (out) => out === 'v0.7.25',
      { timeoutMs: 30_000 },
    );
    expect(installed.pass, installed.got).toBe(true);
    timings.push(['resync after restart (annotate → v0.7.25 Ready)', Date.now() - resyncStarted]);
    // Exactly one helm upgrade since the kill: the restarted applier did not install v0.7.24 again.
    const revisionAfter = await moduleOneRevision();
    rows.push({
      command: 'helm list -A (revision of release module-one)',
      expected: `${revisionBefore + 1} (one upgrade since the kill)`,
      got: String(revisionAfter),
      pass: revisionAfter === revisionBefore + 1,
    });
    expect(revisionAfter).toBe(revisionBefore + 1);
  }, 900_000);
});
