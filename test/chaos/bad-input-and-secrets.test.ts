// R5 and R6 against running services. R5: bad input (dockerCfg that is not base64 or not JSON, an unknown scheme, a CA
// that is no certificate, an invalid semver in version.json, an update window `25:00`) gives a clear message on the
// object it came from (the API server's refusal, or the ModuleSource's status / the module's pullError), nothing is
// applied from it, the other sources are unaffected, and no process exits. R6: the syncer's HTTP API and dashboard
// refuse requests without and with wrong credentials; the logs of every server and service of the run hold no
// password, token or dockerCfg.
import { afterAll, describe, expect, it } from 'vitest';
import { ModuleReleases, Modules, ModuleSources, ModuleUpdatePolicies, type ModuleSource } from '@modsync/k8s';
import { createRegistryClient, parseRegistrySettings } from '@modsync/registry';
import { startRedis, type TestRedis } from '../env/redis.ts';
import { ModulePublisher } from '../fixtures/publisher.ts';
import { recordScenario } from './summary.ts';
import { chaosEnv, secretsInLogs, timeUntil, World } from './support.ts';

const env = chaosEnv();
const suffix = Date.now().toString(36);
const token = `chaos-token-${suffix}-0123456789`;
const dashboardPassword = `chaos-dash-${suffix}`;
const registryPassword = `chaos-reg-${suffix}`;
const dockerCfg = Buffer.from(
  JSON.stringify({
    auths: { [env.registry!.host]: { auth: Buffer.from(`puller:${registryPassword}`).toString('base64') } },
  }),
).toString('base64');
let redis: TestRedis;
let world: World;

afterAll(async () => {
  await world?.stop();
  await redis?.stop();
});

function source(name: string, registry: ModuleSource['spec']['registry']): ModuleSource {
  return {
    apiVersion: 'deckhouse.io/v1alpha1',
    kind: 'ModuleSource',
    metadata: { name, labels: { chaos: world.options.id } },
    spec: { registry },
  };
}

describe('R5 bad input, R6 credentials and secrets (running services)', () => {
  it('bad input: a clear message on the right object, nothing applied, processes stay up', async () => {
    redis = await startRedis({ logDir: env.logDir, name: `r5-redis-${suffix}`, password: true });
    world = new World({
      id: `r5-${suffix}`,
      sources: 1,
      redisEnv: { MODSYNC_REDIS_URL: redis.url },
      syncers: 1,
      appliers: 1,
      extraEnv: {
        MODSYNC_API_TOKEN: token,
        MODSYNC_DASHBOARD_USER: 'admin',
        MODSYNC_DASHBOARD_PASSWORD: dashboardPassword,
      },
    });
    await world.start('v1.0.0');
    const repo = `${env.registry!.host}/${world.sourceNames[0]}/modules`;
    // A second module of the good source whose release image names an invalid version.
    const registry = createRegistryClient();
    const path = `${world.sourceNames[0]}/modules`;
    const badModule = `${world.sourceNames[0]}-badsemver`;
    await new ModulePublisher(registry, parseRegistrySettings({ repo, scheme: 'HTTP' }), path).publish({
      module: badModule,
      version: 'v1.0.0',
      channels: ['stable'],
      versionJson: '{"version":"v1.2"}',
    });
    await registry.close();

    const bad: Array<[string, ModuleSource['spec']['registry'], RegExp]> = [
      ['b64', { repo, scheme: 'HTTP', dockerCfg: 'not base64 at all!' }, /dockerCfg/],
      ['json', { repo, scheme: 'HTTP', dockerCfg: Buffer.from('{"auths": ').toString('base64') }, /dockerCfg/],
      [
        'ca',
        { repo, scheme: 'HTTPS', ca: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' },
        /ca|certificate/i,
      ],
      ['creds', { repo, scheme: 'HTTP', dockerCfg }, /^Ready$/],
    ];
    for (const [kind, registrySpec] of bad)
      await world.kube.apply(ModuleSources, source(`${world.options.id}-bad-${kind}`, registrySpec));
    // Refused by the API server with its own message (the CRD's enum and pattern): the object is never stored.
    await expect(
      world.kube.apply(
        ModuleSources,
        source(`${world.options.id}-bad-scheme`, {
          repo,
          scheme: 'FTP' as 'HTTP' /* not a scheme the type allows: the point */,
        }),
      ),
    ).rejects.toThrow(/scheme/);
    await expect(
      world.kube.apply(ModuleUpdatePolicies, {
        apiVersion: 'deckhouse.io/v1alpha2',
        kind: 'ModuleUpdatePolicy',
        metadata: { name: `${world.options.id}-window` },
        spec: { releaseChannel: 'Stable', update: { mode: 'Auto', windows: [{ from: '08:00', to: '25:00' }] } },
      }),
    ).rejects.toThrow(/windows|to/);

    const problems: string[] = [];
    for (const [kind, , message] of bad) {
      const name = `${world.options.id}-bad-${kind}`;
      const settled = await timeUntil(
        async () => message.test((await world.kube.get(ModuleSources, name))?.status?.message ?? ''),
        30_000,
      );
      if (settled === undefined)
        problems.push(
          `${name}: status message ${JSON.stringify((await world.kube.get(ModuleSources, name))?.status?.message)} does not match ${message}`,
        );
    }
    const pullError = await timeUntil(
      async () =>
        ((await world.kube.get(ModuleSources, world.sourceNames[0]!))?.status?.modules ?? []).some(
          (m) => m.name === badModule && m.pullError === 'fetch release metadata error: Invalid Semantic Version',
        ),
      30_000,
    );
    if (pullError === undefined)
      problems.push(`${badModule}: no pullError 'Invalid Semantic Version' in the source status`);
    if (!(await timeUntil(() => world.converged('v1.0.0'), 30_000)))
      problems.push('the good module was not synced and released beside the bad input');
    if ((await world.kube.list(ModuleReleases)).items.some((r) => r.spec.moduleName === badModule))
      problems.push(`a release of ${badModule} was created`);
    if ((await world.kube.get(Modules, badModule))?.status?.phase === 'Ready') problems.push(`${badModule} is Ready`);
    problems.push(...world.exited().map((r) => `${r} exited`));
    for (const [kind] of bad) await world.kube.delete(ModuleSources, `${world.options.id}-bad-${kind}`);
    await recordScenario(env.dir, {
      scenario: 'R5 bad input (services stay up)',
      runs: bad.length + 3,
      failures: problems.length,
      recoveryMs: [],
    });
    expect(problems).toEqual([]);
  });

  it('credentials: refused without and with wrong ones; no secret in any log of the run', async () => {
    const syncer = world.syncers[0]!.url;
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const resync = `${syncer}/sources/${world.sourceNames[0]}/resync`;
    const statuses = {
      dashboardNone: (await fetch(`${syncer}/dashboard`)).status,
      dashboardWrong: (
        await fetch(`${syncer}/dashboard`, { headers: { authorization: basic('admin', `${dashboardPassword}x`) } })
      ).status,
      dashboardShort: (await fetch(`${syncer}/dashboard`, { headers: { authorization: basic('admin', 'x') } })).status,
      dashboardRight: (
        await fetch(`${syncer}/dashboard`, { headers: { authorization: basic('admin', dashboardPassword) } })
      ).status,
      resyncNone: (await fetch(resync, { method: 'POST' })).status,
      resyncWrong: (
        await fetch(resync, { method: 'POST', headers: { authorization: `Bearer ${token.slice(0, -1)}X` } })
      ).status,
      resyncRight: (await fetch(resync, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status,
    };
    expect(statuses).toEqual({
      dashboardNone: 401,
      dashboardWrong: 401,
      dashboardShort: 401,
      dashboardRight: 200,
      resyncNone: 401,
      resyncWrong: 401,
      resyncRight: 202,
    });
    // Every log of the run so far (earlier scenarios' services and servers too), with this scenario's secrets and the
    // Redis password.
    const leaks = await secretsInLogs(env.logDir, [
      token,
      dashboardPassword,
      registryPassword,
      dockerCfg,
      redis.password!,
    ]);
    await recordScenario(env.dir, {
      scenario: 'R6 credentials refused, no secret in logs',
      runs: 7,
      failures: leaks.length,
      recoveryMs: [],
    });
    expect(leaks).toEqual([]);
  });
});
