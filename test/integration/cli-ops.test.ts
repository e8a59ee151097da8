// The operator commands of the CLI against the real environment: `status`, `release approve`, `events tail`, run as
// processes (as a user runs them) next to a real syncer process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleReleases,
  ModuleSources,
  type ModuleRelease,
  type ModuleSource,
} from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { freePort, run, startService, useEnvironment, waitFor, type RunningService } from '../env/index.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const prefix = `cli-ops-${suffix}`;
const path = `cli-ops-${suffix}/modules`;
const sourceName = `ops-${suffix}`;
const registry = createRegistryClient();
const publisher = new ModulePublisher(
  registry,
  parseRegistrySettings({ repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' }),
  path,
);
let kube: KubeClient;
let syncer: RunningService;
const tails: Tail[] = [];
const releases: string[] = [];

const cliEnv = () => ({
  ...process.env,
  KUBECONFIG: env.kubeconfig!,
  MODSYNC_REDIS_URL: env.redis!.url,
  MODSYNC_REDIS_PREFIX: prefix,
  MODSYNC_SYNCER_URL: '',
});

function modsync(args: string[]): Promise<string> {
  return run('node_modules/.bin/node', ['cli/src/main.ts', ...args], { env: cliEnv() });
}

/** A long-running `modsync events tail`, its output collected. */
interface Tail {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

async function startTail(args: string[]): Promise<Tail> {
  const child = spawn('node_modules/.bin/node', ['cli/src/main.ts', 'events', 'tail', ...args], {
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tail = { child, out: () => out, err: () => err, exited };
  tails.push(tail);
  // Following once it says so: events published after this line are seen.
  await waitFor(
    'tail following',
    async () => {
      if (child.exitCode !== null) throw new Error(`events tail exited ${child.exitCode}: ${err}`);
      return err.includes('(Ctrl-C stops)');
    },
    20_000,
    50,
  );
  return tail;
}

/** Ctrl-C, and the exit code. */
async function interrupt(tail: Tail): Promise<number | null> {
  tail.child.kill('SIGINT');
  const timer = setTimeout(() => tail.child.kill('SIGKILL'), 10_000);
  const code = await tail.exited;
  clearTimeout(timer);
  return code;
}

function source(): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name: sourceName, labels: { 'cli-ops': suffix } },
    spec: { registry: { repo: `${env.registry!.host}/${path}`, scheme: 'HTTP' } },
  };
}

async function createRelease(module: string, version: string, phase?: 'Deployed'): Promise<string> {
  const name = `${module}-${version}`;
  const release: ModuleRelease = {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleRelease',
    metadata: { name, labels: { module, source: sourceName } },
    spec: { moduleName: module, version, weight: 900 },
  };
  await kube.create(ModuleReleases, release);
  releases.push(name);
  if (phase) await kube.mergePatch(ModuleReleases, name, { status: { phase, message: '' } }, { subresource: 'status' });
  return name;
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await publisher.publish({ module: 'module-one', version: 'v0.7.24', channels: ['stable'] });
  await publisher.publish({ module: 'module-two', version: 'v1.2.3', channels: ['stable'] });
  syncer = await startService('syncer', {
    logDir: env.logDir,
    instance: `cli-ops-${suffix}`,
    env: {
      MODSYNC_REDIS_URL: env.redis!.url,
      KUBECONFIG: env.kubeconfig!,
      MODSYNC_REDIS_PREFIX: prefix,
      MODSYNC_NAMESPACE: 'default',
      MODSYNC_SOURCE_SELECTOR: `cli-ops=${suffix}`,
      MODSYNC_SYNC_INTERVAL: '1h',
    },
  });
});

afterAll(async () => {
  for (const tail of tails)
    if (tail.child.exitCode === null && tail.child.signalCode === null) tail.child.kill('SIGKILL');
  await syncer?.stop();
  await kube.delete(ModuleSources, sourceName).catch(() => undefined);
  // The syncer is stopped: nobody is left to take modsync's finalizers off.
  await kube.mergePatch(ModuleSources, sourceName, { metadata: { finalizers: null } }).catch(() => undefined);
  for (const name of releases) await kube.delete(ModuleReleases, name).catch(() => undefined);
  await registry.close();
  await kube.close();
});

describe('modsync events tail', () => {
  it('follows the discovery stream from now on, filtered by source, and stops cleanly on Ctrl-C', async () => {
    const tail = await startTail(['--source', sourceName]);
    await kube.apply(ModuleSources, source());
    await waitFor('two events', async () => tail.out().split('\n').filter(Boolean).length >= 2, 20_000, 50);
    const lines = tail
      .out()
      .split('\n')
      .filter(Boolean)
      .sort((a, b) => a.split(' ')[2]!.localeCompare(b.split(' ')[2]!));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+ module\\.appeared ${sourceName}/module-one channels Stable=v0\\.7\\.24$`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^\\S+ module\\.appeared ${sourceName}/module-two channels Stable=v1\\.2\\.3$`),
    );
    expect(await interrupt(tail)).toBe(0);
    expect(tail.err()).not.toMatch(/modsync events tail:/);

    // XREAD, not a consumer group: nothing of the tail is left in Redis, and nothing was taken from anyone.
    const redis = new Redis(env.redis!.url);
    try {
      expect(await redis.call('XINFO', 'GROUPS', `{${prefix}:events}:discovery`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('replays from the oldest retained event with --from oldest, as JSON lines, filtered by module', async () => {
    const tail = await startTail(['--from', 'oldest', '--module', 'module-two', '--output', 'json']);
    await waitFor('one event', async () => tail.out().includes('\n'), 10_000, 50);
    // A new version is published and resynced: the tail sees it without being restarted.
    await publisher.publish({ module: 'module-two', version: 'v1.2.4', channels: ['stable'] });
    await modsync(['resync', sourceName, '--url', syncer.url]);
    await waitFor('the new version', async () => tail.out().split('\n').filter(Boolean).length >= 2, 20_000, 50);
    expect(await interrupt(tail)).toBe(0);
    const events = tail
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => [e['type'], e['module'], e['source']])).toEqual([
      ['module.appeared', 'module-two', sourceName],
      ['channel.version', 'module-two', sourceName],
    ]);
    expect(events[1]).toMatchObject({ v: 1, channel: 'Stable', version: 'v1.2.4', previousVersion: 'v1.2.3' });
  });

  it('says what is wrong: no Redis, bad options', async () => {
    await expect(
      run('node_modules/.bin/node', ['cli/src/main.ts', 'events', 'tail'], {
        env: { ...process.env, MODSYNC_REDIS_URL: '' },
      }),
    ).rejects.toThrow(/exited 2: .*--redis redis:\/\/host:6379 or MODSYNC_REDIS_URL/);
    await expect(modsync(['events', 'tail', '--from', 'yesterday'])).rejects.toThrow(
      /exited 2: .*--from takes newest or oldest/,
    );
    const port = await freePort();
    await expect(modsync(['events', 'tail', '--redis', `redis://:secret@127.0.0.1:${port}`])).rejects.toThrow(
      new RegExp(`exited 1: .*cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}`),
    );
  });
});

describe('modsync status', () => {
  it('prints the sources, their modules and the queues of a reachable syncer', async () => {
    await waitFor(
      'synced',
      async () =>
        (await kube.get(ModuleSources, sourceName))?.status?.modules?.find((m) => m.name === 'module-two')?.version ===
        'v1.2.4',
      20_000,
      50,
    );
    const text = await modsync(['status', '--selector', `cli-ops=${suffix}`, '--url', syncer.url]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SOURCE\s+MODULES\s+MESSAGE\s+LAST SYNC$/);
    expect(lines[1]).toMatch(new RegExp(`^${sourceName}\\s+2\\s+Ready\\s+\\d+s$`));
    expect(text).toContain(`Modules of ${sourceName}:\n`);
    expect(text).toMatch(/^ {2}MODULE\s+VERSION\s+POLICY\s+PULL ERROR$/m);
    expect(text).toMatch(/^ {2}module-one\s+v0\.7\.24\s+\S+\s+-$/m);
    expect(text).toMatch(/^ {2}module-two\s+v1\.2\.4\s+\S+\s+-$/m);
    expect(text).toMatch(/^QUEUE\s+WAITING\s+PRIORITIZED\s+ACTIVE\s+DELAYED\s+FAILED$/m);
    expect(text).toMatch(/^sync\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/m);
    expect(text).toMatch(/^resync\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+$/m);
  });

  it('prints one source as JSON, and the queue as unknown when the syncer is not reachable', async () => {
    const port = await freePort();
    const report = JSON.parse(
      await modsync(['status', sourceName, '-o', 'json', '--url', `http://127.0.0.1:${port}`]),
    ) as {
      sources: {
        name: string;
        modulesCount: number;
        message: string;
        syncTime: string;
        modules: { name: string; version: string; pullError: string | null }[];
      }[];
      queue: { reachable: boolean; error: string };
    };
    expect(report.sources).toHaveLength(1);
    expect(report.sources[0]).toMatchObject({ name: sourceName, modulesCount: 2, message: 'Ready' });
    expect(Date.parse(report.sources[0]!.syncTime)).not.toBeNaN();
    expect(report.sources[0]!.modules.map((m) => [m.name, m.version, m.pullError])).toEqual([
      ['module-one', 'v0.7.24', null],
      ['module-two', 'v1.2.4', null],
    ]);
    expect(report.queue).toMatchObject({ reachable: false });
    const text = await modsync(['status', sourceName, '--url', `http://127.0.0.1:${port}`]);
    expect(text).toMatch(
      new RegExp(`queue: unknown \\(syncer not reachable at http://127\\.0\\.0\\.1:${port}: .+\\)\\n$`),
    );
  });

  it('shows pull errors, and fails clearly on a missing source or bad usage', async () => {
    await publisher.publish({ module: 'module-three', version: 'v0.1.0', channels: ['alpha'] }); // listed, no stable channel
    await modsync(['resync', sourceName, '--url', syncer.url]);
    await waitFor(
      'module-three listed',
      async () =>
        (await kube.get(ModuleSources, sourceName))?.status?.modules?.some((m) => m.name === 'module-three') === true,
      20_000,
      50,
    );
    const status = (await kube.get(ModuleSources, sourceName))!.status!;
    const three = status.modules!.find((m) => m.name === 'module-three')!;
    const text = await modsync(['status', sourceName, '--url', syncer.url]);
    // The source's channel image (release:stable) does not exist: a pull error, shown on the module's row.
    const error = three.pullError ?? three.error;
    expect(error).toBeTruthy();
    expect(text).toMatch(
      new RegExp(
        `^ {2}module-three\\s+\\S+\\s+\\S+\\s+${error!
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 30)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        'm',
      ),
    );

    await expect(modsync(['status', `nope-${suffix}`, '--url', syncer.url])).rejects.toThrow(
      new RegExp(`exited 1: modsync status: ModuleSource nope-${suffix} not found \\(kubectl get ms lists them\\)`),
    );
    await expect(modsync(['status', 'a', 'b'])).rejects.toThrow(/exited 2: .*at most one ModuleSource/);
    await expect(modsync(['status', '-o', 'yaml'])).rejects.toThrow(/exited 2: .*--output takes table or json/);
  });
});

describe('modsync release approve', () => {
  it('approves a Pending release (merge patch of the annotation) and says so once', async () => {
    const name = await createRelease(`approve-${suffix}`, 'v1.0.0');
    expect(await modsync(['release', 'approve', name])).toMatch(new RegExp(`^ModuleRelease ${name} approved`));
    const release = (await kube.get(ModuleReleases, name))!;
    expect(release.metadata.annotations).toEqual({ 'modules.deckhouse.io/approved': 'true' });
    expect(release.metadata.labels).toEqual({ module: `approve-${suffix}`, source: sourceName });
    expect(await modsync(['release', 'approve', name])).toBe(`ModuleRelease ${name} is already approved\n`);
    expect((await kube.get(ModuleReleases, name))!.metadata.resourceVersion).toBe(release.metadata.resourceVersion);
  });

  it('refuses a release that is not Pending (saying its phase), a missing one, and bad usage', async () => {
    const deployed = await createRelease(`deployed-${suffix}`, 'v2.0.0', 'Deployed');
    await expect(modsync(['release', 'approve', deployed])).rejects.toThrow(
      new RegExp(`exited 1: modsync release approve: ModuleRelease ${deployed} is Deployed, not Pending`),
    );
    expect((await kube.get(ModuleReleases, deployed))!.metadata.annotations).toBeUndefined();
    await expect(modsync(['release', 'approve', `nope-${suffix}-v1.0.0`])).rejects.toThrow(
      /exited 1: .*not found \(kubectl get mr lists them/,
    );
    await expect(modsync(['release', 'approve'])).rejects.toThrow(/exited 2: .*name exactly one ModuleRelease/);
    await expect(modsync(['release'])).rejects.toThrow(/exited 2/);
  });
});
