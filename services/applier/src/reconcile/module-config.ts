import { moduleConfigStatus } from '@modsync/dkp';
import { ModuleConfigs, type ModuleConfig } from '@modsync/k8s';
import type { ReconcileContext } from './context.ts';

/**
 * ModuleConfig status (§3): `Ignored: unknown module name` while no Module of that name exists (not for `global` and
 * `deckhouse`), `Error: <validation error>` when the installer found the settings invalid, the settings-schema version,
 * or `""`. Written only when it differs.
 */
export async function reconcileModuleConfig(
  ctx: ReconcileContext,
  moduleExists: boolean,
  validationError?: string,
): Promise<void> {
  const config = ctx.config;
  if (!config || config.metadata.deletionTimestamp) return;
  const desired = moduleConfigStatus({
    name: ctx.name,
    moduleExists,
    specVersion: config.spec?.version,
    validationError,
  });
  const status = config.status ?? {};
  if ((status.version ?? '') === desired.version && (status.message ?? '') === desired.message) return;
  ctx.config = await ctx.writer.patch<ModuleConfig>(
    ModuleConfigs,
    ctx.name,
    config.metadata.resourceVersion,
    { status: desired },
    'status',
  );
  ctx.log.info({ reason: desired.message || 'Valid' }, 'module config status written');
}
