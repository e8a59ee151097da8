import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, kubeConfigFromString, ModuleConfigs } from '@modsync/k8s';
import { run, useEnvironment } from '../env/index.ts';

const env = useEnvironment();
const suffix = Date.now().toString(36);
let kube: KubeClient;

function modsync(args: string[]): Promise<string> {
  return run('node_modules/.bin/node', ['cli/src/main.ts', ...args], {
    env: { ...process.env, KUBECONFIG: env.kubeconfig! },
  });
}

beforeAll(async () => {
  kube = await KubeClient.create(kubeConfigFromString(await readFile(env.kubeconfig!, 'utf8')));
});
afterAll(() => kube.close());

// A story: each test starts from the state the one before it left, so its tests keep their order when
// scripts/test.sh shuffles (the file itself still runs at any position, and alone).
describe('modsync module enable|disable (deckhouse-controller module enable)', { shuffle: false }, () => {
  const name = `cli-${suffix}`;

  it('creates the ModuleConfig enabled, with the source when given', async () => {
    expect(await modsync(['module', 'enable', name, '--source', 'example'])).toBe(`Module ${name} enabled\n`);
    expect((await kube.get(ModuleConfigs, name))!.spec).toEqual({ enabled: true, source: 'example' });
    expect(await modsync(['module', 'enable', name])).toBe(`Module ${name} is already enabled\n`);
  });

  it('disables it, keeping the rest of the ModuleConfig', async () => {
    await kube.mergePatch(ModuleConfigs, name, { spec: { settings: { replicas: 2 } } });
    expect(await modsync(['module', 'disable', name])).toBe(`Module ${name} disabled\n`);
    expect((await kube.get(ModuleConfigs, name))!.spec).toEqual({
      enabled: false,
      source: 'example',
      settings: { replicas: 2 },
    });
  });

  it('says what is wrong with bad usage', async () => {
    await expect(modsync(['module', 'enable'])).rejects.toThrow(/name exactly one module/);
  });
});
