import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { run, useEnvironment, waitFor } from '../env/index.ts';

const env = useEnvironment();

/** The real kubectl against the test API server. */
function kubectl(args: string[], input?: string): Promise<string> {
  return run(env.kubectl!, args, { input, env: { ...process.env, KUBECONFIG: env.kubeconfig! } });
}

/** The header row of a `kubectl get` table, columns split on runs of spaces (multi-word names kept by the 3-space rule). */
function headerOf(table: string): string[] {
  return (table.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

describe('Kubernetes API', () => {
  it('is a real kube-apiserver stamped with the version it was built from', async () => {
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.3[5-6]\.\d+$/);
  });

  it('serves the five deckhouse.io kinds with their short names', async () => {
    const resources = await kubectl(['api-resources', '--api-group', 'deckhouse.io', '-o', 'wide', '--no-headers']);
    const byName = new Map(
      resources
        .trim()
        .split('\n')
        .map((line) => [line.split(/\s+/)[0], line] as const),
    );
    expect([...byName.keys()].sort()).toEqual([
      'moduleconfigs',
      'modulereleases',
      'modules',
      'modulesources',
      'moduleupdatepolicies',
    ]);
    expect(byName.get('modulesources')).toMatch(/\bms\b.*\bfalse\b.*ModuleSource/);
    expect(byName.get('modulereleases')).toMatch(/\bmr\b/);
    expect(byName.get('moduleconfigs')).toMatch(/\bmc\b/);
    expect(byName.get('moduleupdatepolicies')).toMatch(/\bmup\b.*v1alpha2/);
  });

  it('prints the guide’s columns for ms, module, mr and moduleconfig', async () => {
    const suffix = Date.now().toString(36);
    await kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: deckhouse.io/v1alpha1
kind: ModuleSource
metadata: {name: cols-${suffix}}
spec: {registry: {repo: registry.example.com/deckhouse/modules}}
---
apiVersion: deckhouse.io/v1alpha1
kind: Module
metadata: {name: cols-${suffix}}
properties: {weight: 900, source: cols-${suffix}}
---
apiVersion: deckhouse.io/v1alpha1
kind: ModuleRelease
metadata:
  name: cols-${suffix}-v0.7.24
  labels: {module: cols-${suffix}, modules.deckhouse.io/update-policy: deckhouse}
spec: {moduleName: cols-${suffix}, version: v0.7.24}
---
apiVersion: deckhouse.io/v1alpha1
kind: ModuleConfig
metadata: {name: cols-${suffix}}
spec: {enabled: true}
`,
    );
    await kubectl([
      'patch',
      'ms',
      `cols-${suffix}`,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: { modulesCount: 2, syncTime: new Date().toISOString(), message: 'Ready', phase: 'Active' },
      }),
    ]);
    await kubectl([
      'patch',
      'module',
      `cols-${suffix}`,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Ready',
          ready: 'True',
          conditions: [
            { type: 'EnabledByModuleManager', status: 'True' },
            { type: 'IsReady', status: 'True' },
          ],
        },
      }),
    ]);
    await kubectl([
      'patch',
      'mr',
      `cols-${suffix}-v0.7.24`,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase: 'Deployed', transitionTime: new Date().toISOString(), message: '' } }),
    ]);

    const ms = await kubectl(['get', 'ms', `cols-${suffix}`]);
    expect(headerOf(ms)).toEqual(['NAME', 'COUNT', 'SYNC', 'MSG']);
    expect(ms.split('\n')[1]).toMatch(new RegExp(`^cols-${suffix}\\s+2\\s+\\d+s\\s+Ready\\s*$`));

    const module = await kubectl(['get', 'module', `cols-${suffix}`]);
    expect(headerOf(module)).toEqual(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']);
    expect(module.split('\n')[1]).toMatch(
      new RegExp(`^cols-${suffix}\\s+900\\s+cols-${suffix}\\s+Ready\\s+True\\s+True\\s*$`),
    );

    const mr = await kubectl(['get', 'mr', `cols-${suffix}-v0.7.24`]);
    expect(headerOf(mr)).toEqual(['NAME', 'PHASE', 'UPDATE POLICY', 'TRANSITIONTIME', 'MESSAGE']);
    expect(mr.split('\n')[1]).toMatch(/\s+Deployed\s+deckhouse\s+\d+s\s*$/);

    const mc = await kubectl(['get', 'moduleconfig', `cols-${suffix}`]);
    expect(headerOf(mc)).toEqual(['NAME', 'ENABLED', 'VERSION', 'AGE', 'MESSAGE']);
    expect(mc.split('\n')[1]).toMatch(new RegExp(`^cols-${suffix}\\s+true\\s+\\d+s\\s*$`));

    await kubectl([
      'delete',
      'ms,module,mr,mc',
      `cols-${suffix}`,
      `cols-${suffix}-v0.7.24`,
      '--ignore-not-found',
    ]).catch(() => {});
  });

  it.each([
    [
      'a bad release channel',
      'ModuleUpdatePolicy',
      'v1alpha2',
      '{releaseChannel: Nightly, update: {mode: Auto}}',
      /spec.releaseChannel: Unsupported value: "Nightly"/,
    ],
    [
      'a bad update mode',
      'ModuleUpdatePolicy',
      'v1alpha2',
      '{update: {mode: Sometimes}}',
      /spec.update.mode: Unsupported value: "Sometimes"/,
    ],
    [
      'a bad window time',
      'ModuleUpdatePolicy',
      'v1alpha2',
      '{update: {mode: Auto, windows: [{from: "25:00", to: "26:00"}]}}',
      /spec.update.windows\[0\].from in body should match/,
    ],
    [
      'a bad window day',
      'ModuleUpdatePolicy',
      'v1alpha2',
      '{update: {mode: Auto, windows: [{to: "10:00", days: [Monday]}]}}',
      /Unsupported value: "Monday"/,
    ],
    [
      'a bad scheme',
      'ModuleSource',
      'v1alpha1',
      '{registry: {repo: registry.example.com/modules, scheme: FTP}}',
      /spec.registry.scheme: Unsupported value: "FTP"/,
    ],
    [
      'a repo with a scheme',
      'ModuleSource',
      'v1alpha1',
      '{registry: {repo: "https://registry.example.com/modules"}}',
      /spec.registry.repo in body should match/,
    ],
    [
      'a bad scan interval',
      'ModuleSource',
      'v1alpha1',
      '{registry: {repo: registry.example.com/modules}, scanInterval: 3 minutes}',
      /spec.scanInterval in body should match/,
    ],
  ])('rejects %s at the API server', async (_what, kind, version, spec, message) => {
    const manifest = `apiVersion: deckhouse.io/${version}\nkind: ${kind}\nmetadata: {name: bad-${Date.now().toString(36)}}\nspec: ${spec}\n`;
    await expect(kubectl(['create', '-f', '-'], manifest)).rejects.toThrow(message);
  });

  it('accepts the guide’s update policy and defaults a mode-less v1alpha1 policy to AutoPatch', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: deckhouse.io/v1alpha2
kind: ModuleUpdatePolicy
metadata: {name: example-update-policy}
spec:
  releaseChannel: Alpha
  update:
    mode: Auto
    windows:
    - days: ["Mon", "Wed"]
      from: "13:30"
      to: "14:00"
---
apiVersion: deckhouse.io/v1alpha1
kind: ModuleUpdatePolicy
metadata: {name: legacy-policy}
spec:
  moduleReleaseSelector: {labelSelector: {matchLabels: {source: example}}}
`,
    );
    const table = await kubectl(['get', 'mup', 'example-update-policy', 'legacy-policy']);
    expect(headerOf(table)).toEqual(['NAME', 'RELEASE CHANNEL', 'UPDATE MODE']);
    const legacy = JSON.parse(await kubectl(['get', 'mup', 'legacy-policy', '-o', 'json'])) as {
      apiVersion: string;
      spec: { releaseChannel: string; update: { mode: string } };
    };
    expect(legacy.apiVersion).toBe('deckhouse.io/v1alpha2');
    expect(legacy.spec).toMatchObject({ releaseChannel: 'Stable', update: { mode: 'AutoPatch' } });
    await kubectl(['delete', 'mup', 'example-update-policy', 'legacy-policy']);
  });

  it('runs kube-controller-manager: a deleted namespace goes away', async () => {
    const ns = `gc-${Date.now().toString(36)}`;
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'configmap', 'x', '-n', ns]);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await waitFor(
      `namespace ${ns} deletion`,
      async () => (await kubectl(['get', 'namespace', ns, '--ignore-not-found'])).trim() === '',
      60_000,
      250,
    );
  });
});

describe('Redis', () => {
  it('answers with the password and refuses without it', async () => {
    const redis = new Redis(env.redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
    // Without the password, a plain RESP PING is refused.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(env.redis!.port, env.redis!.host, () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        resolve(d.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });
});
