import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { createRegistryClient, parseRegistrySettings, type RegistryClient } from '@modsync/registry';
import { LEADER_LABEL, RESYNC_ANNOTATION } from '@modsync/syncer';
import { findHelm } from '../../services/applier/src/install/helm.ts';
import { removeOrphanContainers } from '../env/containers.ts';
import { ensureDockerEngine, type DockerEngine } from '../env/docker-engine.ts';
import { buildModsyncImage } from '../env/modsync-image.ts';
import { freePort, waitFor } from '../env/net.ts';
import { startNodeCluster, type NodeCluster } from '../env/node.ts';
import { REPO_ROOT } from '../env/paths.ts';
import { run, tailLog } from '../env/process.ts';
import { startRedis, type TestRedis } from '../env/redis.ts';
import { startRegistry, type TestRegistry } from '../env/registry.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

// Issue 11: modsync deployed by its own chart (infra/chart, infra/chart/values-test-node.yaml) on the real node
// (test/env/node.ts), its image built and imported into the node's containerd, RBAC as shipped; then the guide's
// commands (../shared/spec/guide.md) run through a shell as written, including the ones that reach into modsync's
// pods (`exec svc/deckhouse-leader`, `logs -l app=deckhouse`); then a syncer and an applier pod are killed.
// Not part of scripts/test.sh; `npx vitest run --project node` (root, Docker, containerd from Debian).

const NAMESPACE = 'd8-system';
const RELEASE = 'modsync';
/** The guide's ModuleSource repo path below the registry host. */
const REPO_PATH = 'deckhouse/modules';

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
let docker: DockerEngine | undefined;
let cluster: NodeCluster | undefined;
let redis: TestRedis | undefined;
let registry: TestRegistry | undefined;
let registryClient: RegistryClient | undefined;
let publisher: ModulePublisher | undefined;
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
const tableRows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));
/** Header cells (split on 2+ spaces: `UPDATE POLICY` is one column). */
const header = (out: string) => (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);
const oneLine = (out: string) => out.trim().replace(/[ \t]+/g, ' ').split('\n').join(' ⏎ ');

/**
 * Runs `commandLine` through a shell until `check` accepts its output (or `timeoutMs` passes: one run when 0), and
 * records a row of the table. `summary` shortens what the table shows of the output.
 */
async function guide(
  commandLine: string,
  expected: string,
  check: (out: string) => boolean,
  options: { timeoutMs?: number; summary?: (out: string) => string; tableCommand?: string; onOutput?: (out: string) => void } = {},
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
  for (const r of rows) lines.push(`| \`${esc(r.command)}\` | ${esc(r.expected)} | ${esc(r.got)} | ${r.pass ? 'PASS' : 'FAIL'} |`);
  lines.push('', 'timings (ms): ' + timings.map(([w, ms]) => `${w} ${ms}`).join('; '), '');
  process.stderr.write(`${lines.join('\n')}\n`);
}

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string> };
    status: { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
  }[];
}
const podsOf = async (component: string) =>
  (JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'pods', '-l', `app.kubernetes.io/component=${component}`, '-o', 'json'])) as PodList).items;
const isReady = (pod: PodList['items'][number]) => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function deploymentAvailable(name: string): Promise<boolean> {
  const d = JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'deployment', name, '-o', 'json'])) as {
    spec: { replicas: number };
    status: { availableReplicas?: number; updatedReplicas?: number; replicas?: number };
  };
  return d.status.availableReplicas === d.spec.replicas && d.status.replicas === d.spec.replicas;
}

/** What went wrong in d8-system: pods, events, the services' logs (current and previous containers). */
async function diagnose(): Promise<void> {
  const parts = await Promise.all([
    kubectl(['-n', NAMESPACE, 'get', 'pods', '-o', 'wide']),
    kubectl(['-n', NAMESPACE, 'describe', 'pods']),
    kubectl(['-n', NAMESPACE, 'logs', '-l', 'app=deckhouse', '--all-containers', '--tail=40', '--prefix']),
    kubectl(['-n', NAMESPACE, 'logs', '-l', 'app=deckhouse', '--all-containers', '--tail=40', '--prefix', '--previous']),
  ].map((p) => p.catch((e: Error) => e.message)));
  process.stderr.write(`\n----- d8-system -----\n${parts.join('\n')}\n`);
  for (const p of cluster?.node.processes ?? []) process.stderr.write(`\n----- ${p.logFile} (tail) -----\n${tailLog(p.logFile, 20)}\n`);
}

async function syncTime(): Promise<string> {
  return (await kubectl(['get', 'ms', 'example', '-o', 'jsonpath={.status.syncTime}'])).trim();
}

async function leaderPod(): Promise<string | undefined> {
  return (await podsOf('syncer')).find((p) => p.metadata.labels?.[LEADER_LABEL] === 'true' && isReady(p))?.metadata.name;
}

/** Revision of the helm release the applier installed module-one as (helm run with the admin kubeconfig). */
async function moduleOneRevision(): Promise<number> {
  const releases = JSON.parse(await helm(['list', '-A', '-o', 'json'])) as { name: string; namespace: string; revision: string }[];
  const release = releases.find((r) => r.name === 'module-one');
  if (!release) throw new Error(`no helm release module-one: ${releases.map((r) => `${r.namespace}/${r.name}`).join(', ')}`);
  return Number(release.revision);
}

describe.runIf(process.getuid?.() === 0)('modsync deployed by its chart on a real node; the guide verbatim', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'modsync-chart-node-'));
    const logDir = join(dir, 'logs');
    await mkdir(logDir, { recursive: true });
    const started = Date.now();
    // One Docker engine for all (the node's, Redis', the registry's): started here if none answers, stopped last.
    docker = await ensureDockerEngine(logDir, log);
    await removeOrphanContainers();
    let imageTag = '';
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
    ]);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const image = await timed('image import into containerd', () => cluster!.node.importImage(imageTag));
    log(`modsync image in containerd as ${image}`);

    const apiPort = new URL(cluster!.controlPlane.server).port;
    const [syncerPort, applierPort] = [await freePort(), await freePort()];
    await timed('helm install', async () => {
      helmInstalled = true;
      await helm([
        'install', RELEASE, 'infra/chart',
        '--namespace', NAMESPACE, '--create-namespace',
        '-f', 'infra/chart/values-test-node.yaml',
        '--set', `apiServer.port=${apiPort}`,
        '--set', `redis.url=${redis!.url}`,
        '--set', `http.syncerPort=${syncerPort}`,
        '--set', `http.applierPort=${applierPort}`,
      ]);
    });
    await timed('Deployments Available', async () => {
      try {
        await waitFor('deckhouse-syncer and deckhouse-applier Available', async () =>
          (await deploymentAvailable('deckhouse-syncer')) && (await deploymentAvailable('deckhouse-applier')), 240_000, 500);
        await waitFor('a leading syncer (modsync.io/leader=true)', async () => (await leaderPod()) !== undefined, 60_000, 500);
      } catch (err) {
        await diagnose();
        throw err;
      }
    });
    timings.push(['start-up in all', Date.now() - started]);

    registryClient = createRegistryClient();
    publisher = new ModulePublisher(registryClient, parseRegistrySettings({ repo: `${registry!.host}/${REPO_PATH}`, scheme: 'HTTP' }), REPO_PATH);
    await publisher.publish({ module: 'module-one', version: 'v0.7.23', weight: 910 });
    await publisher.publish({ module: 'module-one', version: 'v0.7.24', weight: 910, channels: ['stable'], requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' } });
    await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
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
    if (helmInstalled && cluster) await attempt('helm uninstall', () => helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--timeout', '60s']));
    await attempt('registry client', async () => registryClient?.close());
    await attempt('node cluster', async () => cluster?.stop());
    await attempt('Redis', async () => redis?.stop());
    await attempt('registry', async () => registry?.stop());
    await attempt('Docker engine', async () => docker?.stop());
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
    }
    // Each pod authenticates as its ServiceAccount (the token the kubelet projected), not as an admin.
    const whoami = await kubectl(['-n', NAMESPACE, 'exec', 'deploy/deckhouse-applier', '-c', 'deckhouse', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace']);
    expect(whoami).toBe(NAMESPACE);
    expect(await kubectl(['auth', 'can-i', 'create', 'secrets', '-n', NAMESPACE, `--as=system:serviceaccount:${NAMESPACE}:deckhouse-syncer`]).catch((e: Error) => e.message)).toMatch(/\bno\s*$/);
  });

  it('the guide: ModuleSource synced, modules listed, module-one enabled through deckhouse-controller in the leader pod until Ready', async () => {
    await kubectl(['apply', '-f', '-'], `apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata:
  name: example
spec:
  registry:
    repo: ${registry!.host}/${REPO_PATH}
    scheme: HTTP
`);
    const walk = Date.now();
    const results: Row[] = [];
    results.push(await guide('kubectl get ms', 'NAME COUNT SYNC MSG; example 2 <age> Ready', (out) =>
      JSON.stringify(header(out)) === JSON.stringify(['NAME', 'COUNT', 'SYNC', 'MSG']) && /^example\s+2\s+\d+s\s+Ready$/m.test(out), { timeoutMs: 60_000 }));
    results.push(await guide(`kubectl get ms example -o jsonpath='{.status.modules[*].name}'`, 'module-one module-two', (out) => out === 'module-one module-two'));
    results.push(await guide(`kubectl get ms  -o jsonpath='{.items[*].status.modules[*].name}'`, 'module-one module-two', (out) => out === 'module-one module-two'));
    results.push(await guide('kubectl get module', 'NAME WEIGHT SOURCE PHASE ENABLED READY; module-one Available False False; module-two Available False False', (out) =>
      JSON.stringify(header(out)) === JSON.stringify(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']) &&
      JSON.stringify(tableRows(out).slice(1)) === JSON.stringify([['module-one', 'Available', 'False', 'False'], ['module-two', 'Available', 'False', 'False']]), { timeoutMs: 30_000 }));
    results.push(await guide('kubectl get module module-one -oyaml', 'availableSources [example]; phase Available; EnabledByModuleConfig False Disabled; IsReady False NotInstalled', (out) => {
      const m = parse(out) as { properties?: { availableSources?: string[] }; status?: { phase?: string; conditions?: { type: string; status: string; reason?: string }[] } };
      const c = Object.fromEntries((m.status?.conditions ?? []).map((x) => [x.type, `${x.status} ${x.reason ?? ''}`.trim()]));
      return JSON.stringify(m.properties?.availableSources) === '["example"]' && m.status?.phase === 'Available' &&
        c['EnabledByModuleConfig'] === 'False Disabled' && c['EnabledByModuleManager'] === 'False' && c['IsReady'] === 'False NotInstalled';
    }, { summary: (out) => { const m = parse(out) as Record<string, any>; return `availableSources ${JSON.stringify(m?.properties?.availableSources)}; phase ${m?.status?.phase}; ${(m?.status?.conditions ?? []).map((x: any) => `${x.type} ${x.status} ${x.reason ?? ''}`.trim()).join(', ')}`; } }));

    // The guide's `kubectl -ti -n d8-system exec …`, without -ti: the test has no terminal (kubectl would only warn).
    results.push(await guide('kubectl -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable module-one', 'Module module-one enabled', (out) => out.trim() === 'Module module-one enabled'));
    const phases: string[] = [];
    results.push(await guide('kubectl get module module-one', 'module-one 910 example Ready True True (after Downloading, Installing)', (out) =>
      JSON.stringify(header(out)) === JSON.stringify(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']) &&
      JSON.stringify(tableRows(out)[1]) === JSON.stringify(['module-one', '910', 'example', 'Ready', 'True', 'True']), {
      timeoutMs: 120_000,
      onOutput: (out) => {
        const phase = tableRows(out)[1]?.find((c) => ['Available', 'Downloading', 'Installing', 'Ready', 'Error', 'Conflict'].includes(c));
        if (phase && phases.at(-1) !== phase) phases.push(phase);
      },
      summary: (out) => `${oneLine(out)} (phases seen: ${phases.join(' → ')})`,
    }));
    results.push(await guide('kubectl get module module-one -oyaml', 'version v0.7.24, source example, weight 910, releaseChannel Stable; phase Ready; IsReady True', (out) => {
      const m = parse(out) as { properties?: Record<string, unknown>; status?: { phase?: string; conditions?: { type: string; status: string }[] } };
      return m.properties?.['version'] === 'v0.7.24' && m.properties?.['source'] === 'example' && m.properties?.['weight'] === 910 &&
        m.properties?.['releaseChannel'] === 'Stable' && m.status?.phase === 'Ready' && m.status?.conditions?.find((c) => c.type === 'IsReady')?.status === 'True';
    }, { summary: (out) => { const m = parse(out) as Record<string, any>; return `${JSON.stringify(m?.properties)}; phase ${m?.status?.phase}`; } }));
    results.push(await guide('kubectl get mr', 'NAME PHASE UPDATE POLICY TRANSITIONTIME MESSAGE; module-one-v0.7.24 Deployed deckhouse <age>', (out) =>
      JSON.stringify(header(out)) === JSON.stringify(['NAME', 'PHASE', 'UPDATE POLICY', 'TRANSITIONTIME', 'MESSAGE']) &&
      out.split('\n').some((l) => /^module-one-v0\.7\.24\s+Deployed\s+deckhouse\s+\d+[smh]$/.test(l.trim())), { timeoutMs: 10_000 }));
    // The module's chart really installed by helm inside the applier pod.
    results.push(await guide('kubectl -n d8-module-one get configmap module-one -o jsonpath={.data.version}', 'v0.7.24 (installed by the applier pod’s helm)', (out) => out === 'v0.7.24', { timeoutMs: 10_000 }));
    results.push(await guide('kubectl -n d8-system logs -l app=deckhouse', 'JSON log lines of "service":"syncer" and "service":"applier"', (out) => {
      const services = new Set(out.split('\n').flatMap((l) => { try { return [(JSON.parse(l) as { service?: string }).service]; } catch { return []; } }));
      return services.has('syncer') && services.has('applier');
    }, { timeoutMs: 10_000, summary: (out) => {
      const json = out.split('\n').filter((l) => l.startsWith('{'));
      const services = [...new Set(json.map((l) => { try { return String((JSON.parse(l) as { service?: string }).service); } catch { return '?'; } }))].sort();
      return `${out.trim().split('\n').length} lines, ${json.length} JSON; services: ${services.join(', ')}`;
    } }));
    // The guide's exact line, -ti included: kubectl warns that stdin is no terminal and runs it all the same.
    results.push(await guide('kubectl -ti -n d8-system exec svc/deckhouse-leader -c deckhouse -- deckhouse-controller module enable module-one 2>/dev/null',
      'Module module-one is already enabled', (out) => out.trim() === 'Module module-one is already enabled'));
    timings.push(['guide walk', Date.now() - walk]);
    for (const r of results) expect(r.pass, `${r.command}\n  expected: ${r.expected}\n  got: ${r.got}`).toBe(true);
    expect(phases.at(-1)).toBe('Ready');
    for (const phase of phases) expect(['Available', 'Downloading', 'Installing', 'Ready']).toContain(phase);
  }, 300_000);

  it('a syncer pod and an applier pod killed: the Deployments replace them, a resync still works, nothing is done twice', async () => {
    const revisionBefore = await moduleOneRevision();
    const started = Date.now();
    const killed: Record<string, string> = {};
    for (const component of ['syncer', 'applier']) {
      const [pod] = await podsOf(component);
      killed[component] = pod!.metadata.name;
      const row = await guide(`kubectl -n d8-system delete pod ${pod!.metadata.name} --grace-period=0 --force`, `pod "<${component} pod>" force deleted from d8-system namespace`,
        (out) => out.trim() === `pod "${pod!.metadata.name}" force deleted from d8-system namespace`, { tableCommand: `kubectl -n d8-system delete pod <${component} pod> --grace-period=0 --force` });
      expect(row.pass, row.got).toBe(true);
    }
    await waitFor('replacement pods Ready, Deployments Available', async () => {
      for (const component of ['syncer', 'applier']) {
        const pods = await podsOf(component);
        if (pods.some((p) => p.metadata.name === killed[component]) || pods.length !== 1 || !pods.every(isReady)) return false;
        if (!(await deploymentAvailable(`deckhouse-${component}`))) return false;
      }
      return true;
    }, 180_000, 500);
    // The new syncer takes the lead once the killed one's lease runs out, and labels its pod.
    await waitFor('the new syncer leads', async () => {
      const leader = await leaderPod();
      return leader !== undefined && leader !== killed['syncer'];
    }, 120_000, 500);
    timings.push(['pods replaced (kill → Available, new leader)', Date.now() - started]);

    // Work resumes: a new version of module-one, found by a resync the restarted syncer runs (the sources' own interval
    // is 3m) and deployed by the restarted applier; syncTime moves with the status change (an idle resync writes nothing).
    const before = await syncTime();
    await publisher!.publish({ module: 'module-one', version: 'v0.7.25', weight: 910, channels: ['stable'], requirements: { deckhouse: '> v1.63.0', kubernetes: '> v1.25.0' } });
    const resyncStarted = Date.now();
    const annotate = await guide(`kubectl annotate ms example ${RESYNC_ANNOTATION}=${Date.now()} --overwrite`, 'modulesource.deckhouse.io/example annotated',
      (out) => out.trim() === 'modulesource.deckhouse.io/example annotated', { tableCommand: `kubectl annotate ms example ${RESYNC_ANNOTATION}=<ts> --overwrite` });
    expect(annotate.pass, annotate.got).toBe(true);
    const status = await guide(`kubectl get ms example -o jsonpath='{.status.modules[?(@.name=="module-one")].version} {.status.syncTime}'`,
      `v0.7.25 <syncTime later than ${before}>`, (out) => {
        const [version, time] = out.split(' ');
        return version === 'v0.7.25' && Date.parse(time ?? '') > Date.parse(before);
      }, { timeoutMs: 60_000 });
    timings.push(['resync after restart (annotate → status)', Date.now() - resyncStarted]);
    expect(status.pass, status.got).toBe(true);

    const mr = await guide('kubectl get mr', 'module-one-v0.7.24 Superseded; module-one-v0.7.25 Deployed', (out) =>
      tableRows(out).slice(1).map((r) => `${r[0]} ${r[1]}`).join(', ') === 'module-one-v0.7.24 Superseded, module-one-v0.7.25 Deployed', { timeoutMs: 90_000 });
    expect(mr.pass, mr.got).toBe(true);
    const ready = await guide('kubectl get module module-one', 'module-one 910 example Ready True True', (out) =>
      JSON.stringify(tableRows(out)[1]) === JSON.stringify(['module-one', '910', 'example', 'Ready', 'True', 'True']), { timeoutMs: 60_000 });
    expect(ready.pass, ready.got).toBe(true);
    const installed = await guide('kubectl -n d8-module-one get configmap module-one -o jsonpath={.data.version}', 'v0.7.25', (out) => out === 'v0.7.25', { timeoutMs: 30_000 });
    expect(installed.pass, installed.got).toBe(true);
    timings.push(['resync after restart (annotate → v0.7.25 Ready)', Date.now() - resyncStarted]);
    // Exactly one helm upgrade since the kill: the restarted applier did not install v0.7.24 again.
    const revisionAfter = await moduleOneRevision();
    rows.push({ command: 'helm list -A (revision of release module-one)', expected: `${revisionBefore + 1} (one upgrade since the kill)`, got: String(revisionAfter), pass: revisionAfter === revisionBefore + 1 });
    expect(revisionAfter).toBe(revisionBefore + 1);
  }, 420_000);
});
