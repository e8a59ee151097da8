import type { ModulePlan } from '@modsync/dkp';
import { ModuleConfigs, ModuleReleases, Modules, ModuleSources, ModuleUpdatePolicies } from '@modsync/k8s';
import { errorText, kubeOptions, openKube, outputFormat, outputOption } from '../common.ts';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';
import { formatPlan } from '../format.ts';
import { planModules } from '../plan.ts';

/** `modsync plan [module]`: what the applier's release decision will do next for each enabled module, and why. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'show the release each enabled module deploys next and the gate that holds it',
  usage: '[module]',
  description: [
    'Reads ModuleConfigs, Modules, ModuleReleases, ModuleSources and ModuleUpdatePolicies and runs the applier’s own',
    'release decision (libs/dkp: decideReleases) on them at the current time, without writing anything. For each',
    'enabled module: the release it deploys next (NEXT; "(new)" when the applier has yet to create it from the',
    'channel), the gate that holds it (update window, canary, manual approval, requirements, Ignore mode, source',
    'conflict, release order, readiness) and when that gate opens. Requirements on the platform version are checked',
    'against --deckhouse-version (as the applier’s MODSYNC_DECKHOUSE_VERSION) and the API server’s version.',
  ].join('\n'),
  options: {
    'deckhouse-version': {
      type: 'string',
      valueName: 'version',
      description:
        'the platform version requirements are checked against (env MODSYNC_DECKHOUSE_VERSION; unset skips that check)',
    },
    output: outputOption,
    ...kubeOptions,
  },
  async run(args: ParsedArgs, io: IO): Promise<number> {
    const [only, ...extra] = args.positionals;
    if (extra.length > 0) {
      io.stderr.write('modsync plan: name at most one module (modsync plan [module])\n');
      return 2;
    }
    const format = outputFormat(args, io, 'plan', 'table');
    if (format === undefined) return 2;
    const deckhouseVersion =
      (args.values['deckhouse-version'] as string | undefined) || io.env['MODSYNC_DECKHOUSE_VERSION'] || undefined;
    const kube = await openKube(args, io, 'plan');
    if (!kube) return 1;
    let plans: ModulePlan[];
    try {
      const [configs, modules, releases, sources, policies, version] = await Promise.all([
        kube.list(ModuleConfigs),
        kube.list(Modules),
        kube.list(ModuleReleases),
        kube.list(ModuleSources),
        kube.list(ModuleUpdatePolicies),
        kube.serverVersion(),
      ]);
      const cluster = {
        configs: configs.items,
        modules: modules.items,
        releases: releases.items,
        sources: sources.items,
        policies: policies.items,
      };
      if (only !== undefined && !cluster.configs.some((c) => c.metadata.name === only && c.spec?.enabled === true)) {
        io.stderr.write(
          `modsync plan: module ${only} is not enabled (modsync module enable ${only}; modsync plan lists the enabled ones)\n`,
        );
        return 1;
      }
      plans = planModules(cluster, { deckhouseVersion, kubernetesVersion: version.gitVersion }, new Date(), only);
    } catch (err) {
      io.stderr.write(`modsync plan: cannot read the cluster: ${errorText(err)}\n`);
      return 1;
    } finally {
      await kube.close();
    }
    io.stdout.write(
      format === 'json' ? `${JSON.stringify({ modules: plans }, null, 2)}\n` : formatPlan(plans, new Date()),
    );
    return 0;
  },
};
