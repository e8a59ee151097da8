import { KubeApiError, ModuleConfigs, Modules, type ModuleConfig } from '@modsync/k8s';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';
import { kubeOptions, openKube } from '../common.ts';

/**
 * Sets `spec.enabled` of the module's ModuleConfig (creating it when missing), as `deckhouse-controller module enable`
 * does; `--source` also sets `spec.source`. Other fields of the ModuleConfig are left as they are.
 */
async function setEnabled(args: ParsedArgs, io: IO, enabled: boolean): Promise<number> {
  const verb = enabled ? 'enable' : 'disable';
  const [name, ...extra] = args.positionals;
  if (!name || extra.length > 0) {
    io.stderr.write(`modsync module ${verb}: name exactly one module (modsync module ${verb} <name>)\n`);
    return 2;
  }
  const source = args.values['source'] as string | undefined;
  const kube = await openKube(args, io, `module ${verb}`);
  if (!kube) return 1;
  try {
    if (enabled && !(await kube.get(Modules, name))) {
      io.stderr.write(
        `modsync module enable: no module ${name} is offered by any ModuleSource (kubectl get module lists them); enabling it anyway\n`,
      );
    }
    const spec: ModuleConfig['spec'] = { enabled, ...(source ? { source } : {}) };
    const existing = await kube.get(ModuleConfigs, name);
    if (existing) {
      if (existing.spec?.enabled === enabled && (!source || existing.spec?.source === source)) {
        io.stdout.write(`Module ${name} is already ${verb}d\n`);
        return 0;
      }
      await kube.mergePatch(ModuleConfigs, name, { spec });
    } else {
      await kube.create(ModuleConfigs, {
        apiVersion: 'deckhouse.io/v1alpha1',
        kind: 'ModuleConfig',
        metadata: { name },
        spec,
      });
    }
    io.stdout.write(`Module ${name} ${verb}d\n`);
    return 0;
  } catch (err) {
    io.stderr.write(
      `modsync module ${verb}: ${err instanceof KubeApiError ? err.serverMessage : (err as Error).message}\n`,
    );
    return 1;
  } finally {
    await kube.close();
  }
}

export const moduleCommand: Command = {
  name: 'module',
  summary: 'enable or disable a module (writes its ModuleConfig)',
  subcommands: [
    {
      name: 'enable',
      summary: 'enable a module: ModuleConfig spec.enabled=true',
      usage: '<name>',
      options: {
        source: {
          type: 'string',
          valueName: 'name',
          description: 'ModuleSource to take the module from (needed when several offer it)',
        },
        ...kubeOptions,
      },
      run: (args, io) => setEnabled(args, io, true),
    },
    {
      name: 'disable',
      summary: 'disable a module: ModuleConfig spec.enabled=false',
      usage: '<name>',
      options: { ...kubeOptions },
      run: (args, io) => setEnabled(args, io, false),
    },
  ],
};
