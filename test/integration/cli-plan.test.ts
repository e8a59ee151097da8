// `modsync plan` against the real API server: the objects a syncer and an applier would have written, written here,
// and the plan read back as a user runs it (a process), in JSON and as a table.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KubeClient,
  kubeConfigFromString,
  ModuleConfigs,
  ModuleReleases,
  ModuleSources,
  ModuleUpdatePolicies,
  type ModuleRelease,
} from '@modsync/k8s';
import { run, useEnvironment } from '../env/index.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
const source = `plan-src-${suffix}`;
const manual = `plan-manual-${suffix}`;
const a = `plan-a-${suffix}`;
const b = `plan-b-${suffix}`;
const c = `plan-c-${suffix}`;
let kube: KubeClient;

function modsync(args: string[]): Promise<string> {
  return run('node_modules/.bin/node', ['cli/src/main.ts', ...args], {
    env: { ...process.env, KUBECONFIG: env.kubeconfig! },
  });
}

async function release(module: string, version: string, phase: 'Deployed' | 'Pending'): Promise<void> {
  const name = `${module}-${version}`;
  const object: ModuleRelease = {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleRelease',
    metadata: { name, labels: { module, source } },
    spec: { moduleName: module, version },
  };
  await kube.create(ModuleReleases, object);
  await kube.mergePatch(ModuleReleases, name, { status: { phase, message: '' } }, { subresource: 'status' });
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
  await kube.apply(ModuleUpdatePolicies, {
    apiVersion: 'deckhouse.io/v1alpha2',
    kind: 'ModuleUpdatePolicy',
    metadata: { name: manual },
    spec: { releaseChannel: 'Stable', update: { mode: 'Manual' } },
  });
  await kube.apply(ModuleSources, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name: source },
    spec: { registry: { repo: '127.0.0.1:1/plan', scheme: 'HTTP' } },
  });
  // What the syncer writes: each module's channel version, under the policy it resolved.
  await kube.mergePatch(
    ModuleSources,
    source,
    {
      status: {
        phase: 'Active',
        modulesCount: 2,
        modules: [
          { name: a, version: 'v1.0.1', checksum: 'sha256:aa', policy: manual },
          { name: b, version: 'v2.0.1', checksum: 'sha256:bb', policy: '' },
        ],
      },
    },
    { subresource: 'status' },
  );
  await kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name: a },
    spec: { enabled: true, updatePolicy: manual },
  });
  await kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name: b },
    spec: { enabled: true },
  });
  await kube.apply(ModuleConfigs, {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleConfig',
    metadata: { name: c },
    spec: { enabled: true },
  });
  await release(a, 'v1.0.0', 'Deployed');
  await release(a, 'v1.0.1', 'Pending');
  await release(b, 'v2.0.0', 'Deployed');
});
afterAll(async () => {
  for (const name of [`${a}-v1.0.0`, `${a}-v1.0.1`, `${b}-v2.0.0`]) await kube.delete(ModuleReleases, name);
  for (const name of [a, b, c]) await kube.delete(ModuleConfigs, name);
  await kube.delete(ModuleSources, source);
  await kube.delete(ModuleUpdatePolicies, manual);
  await kube.close();
});

describe('modsync plan', () => {
  it('shows, per enabled module, the next release and its gate (JSON)', async () => {
    const { modules } = JSON.parse(await modsync(['plan', '-o', 'json'])) as { modules: { module: string }[] };
    const ours = modules.filter((m) => [a, b, c].includes(m.module));
    expect(ours).toEqual([
      {
        module: a,
        source,
        channel: 'Stable',
        mode: 'Manual',
        policy: manual,
        deployed: 'v1.0.0',
        next: { name: `${a}-v1.0.1`, version: 'v1.0.1', exists: true },
        action: 'Hold',
        gate: 'ManualApproval',
        message: `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`,
        opensWhen: `when approved: modsync release approve ${a}-v1.0.1`,
      },
      {
        module: b,
        source,
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        deployed: 'v2.0.0',
        next: { name: `${b}-v2.0.1`, version: 'v2.0.1', exists: false },
        action: 'Deploy',
      },
      {
        module: c,
        channel: 'Stable',
        mode: 'AutoPatch',
        policy: 'deckhouse',
        action: 'Hold',
        gate: 'NoSource',
        message: 'no ModuleSource offers the module',
        opensWhen: 'when a ModuleSource offers it',
      },
    ]);
  });

  it('opens the approval gate once the release is approved; one module as a table', async () => {
    expect(await modsync(['release', 'approve', `${a}-v1.0.1`])).toMatch(/approved/);
    const text = await modsync(['plan', a]);
    expect(text).toBe(
      [
        `MODULE${' '.repeat(a.length - 6)}  SOURCE${' '.repeat(source.length - 6)}  CHANNEL  POLICY${' '.repeat(manual.length + 3)}  DEPLOYED  NEXT    GATE    OPENS`,
        `${a}  ${source}  Stable   ${manual} (Manual)  v1.0.0    v1.0.1  Deploy  now`,
        '',
      ].join('\n'),
    );
  });

  it('says what is wrong: a module that is not enabled, bad usage', async () => {
    await expect(modsync(['plan', `nope-${suffix}`])).rejects.toThrow(
      new RegExp(`exited 1: modsync plan: module nope-${suffix} is not enabled`),
    );
    await expect(modsync(['plan', 'a', 'b'])).rejects.toThrow(/exited 2: .*at most one module/);
    await expect(modsync(['plan', '-o', 'yaml'])).rejects.toThrow(/exited 2: .*--output takes table or json/);
  });
});
