import {
  DEFAULT_MODULE_WEIGHT,
  DEFAULT_RELEASE_CHANNEL,
  MODULE_CONDITIONS,
  deriveModuleStatus,
  failureConditions,
  formatVersion,
  mergeConditions,
  readyColumn,
  type Condition,
  type ModuleFailure,
  type ModuleStatusDecision,
} from '@modsync/dkp';
import { Modules, V1ALPHA1, type Module, type ModuleProperties, type ModuleRelease } from '@modsync/k8s';
import type { ReconcileContext } from './context.ts';

export interface AvailableSourcesInput {
  /** `properties.availableSources` as stored. */
  current: readonly string[];
  /** Sources this replica sees that offer the module now. */
  offering: readonly string[];
  /** Every source this replica sees. */
  visible: readonly string[];
  /** Sources seen deleted. */
  deleted: readonly string[];
  /** A source selector hides other installations' sources: names not seen are kept. */
  selective: boolean;
}

/**
 * `properties.availableSources` (§2, §9 step 2), sorted: the visible sources offering the module, plus, under a
 * selector, names this replica cannot see (another installation's) unless it saw them deleted.
 */
export function desiredAvailableSources(input: AvailableSourcesInput): string[] {
  const visible = new Set(input.visible);
  const deleted = new Set(input.deleted);
  const kept = input.selective ? input.current.filter((s) => !visible.has(s) && !deleted.has(s)) : [];
  return [...new Set([...kept, ...input.offering])].sort();
}

/** §9 step 2: a Module no source offers is deleted unless the module manager enabled it (it stays, `availableSources: []`). */
export function shouldDeleteModule(module: Module | undefined, available: readonly string[]): boolean {
  if (!module || available.length > 0) return false;
  const manager = module.status?.conditions?.find((c) => c.type === MODULE_CONDITIONS.enabledByModuleManager);
  return manager?.status !== 'True';
}

/** The ModuleConfig existed and is gone: EnabledByModuleConfig was set by one (True, or already Unknown) (§11.7). */
export function isConfigDeleted(ctx: Pick<ReconcileContext, 'config' | 'moduleObject'>): boolean {
  if (ctx.config) return false;
  const byConfig = ctx.moduleObject?.status?.conditions?.find(
    (c) => c.type === MODULE_CONDITIONS.enabledByModuleConfig,
  );
  return byConfig?.status === 'True' || byConfig?.status === 'Unknown';
}

export interface ModuleStepInput {
  available: string[];
  decision: ModuleStatusDecision;
  /** The Deployed release, whose version, weight and requirements the Module shows. */
  deployed: ModuleRelease | undefined;
  /** This pass could not create the releases it should have (Stalled/Reconciling, from the failure table). */
  failure?: ModuleFailure | undefined;
}

/** The properties the applier owns, from the decision (pure). Fields it does not own are kept as stored. */
export function desiredProperties(
  ctx: Pick<ReconcileContext, 'config' | 'moduleObject' | 'enabled' | 'resolved'>,
  input: ModuleStepInput,
): ModuleProperties {
  const current: ModuleProperties = { ...(ctx.moduleObject?.properties ?? {}) };
  const next: ModuleProperties = { ...current, availableSources: input.available };
  if (input.decision.source === undefined) delete next.source;
  else next.source = input.decision.source;
  const updatePolicy = ctx.config?.spec?.updatePolicy;
  if (updatePolicy) next.updatePolicy = updatePolicy;
  else delete next.updatePolicy;
  if (ctx.enabled) next.releaseChannel = ctx.resolved.spec.releaseChannel ?? DEFAULT_RELEASE_CHANNEL;
  if (input.deployed) {
    next.version = formatVersion(input.deployed.spec.version);
    next.weight = input.deployed.spec.weight ?? DEFAULT_MODULE_WEIGHT;
    if (input.deployed.spec.requirements && Object.keys(input.deployed.spec.requirements).length > 0)
      next.requirements = input.deployed.spec.requirements;
    else delete next.requirements;
  }
  return next;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The Module object (§2): created for a module a source offers, its properties (sources, source, policy, channel,
 * deployed version/weight/requirements) and its status (phase, conditions, `status.ready`) written only when they
 * differ, each at the resourceVersion it was decided on. Phases after `Downloading` belong to the installer.
 */
export async function reconcileModule(ctx: ReconcileContext, input: ModuleStepInput): Promise<Module> {
  const properties = desiredProperties(ctx, input);
  let module = ctx.moduleObject;
  if (!module) {
    module = await ctx.writer.create(Modules, {
      apiVersion: V1ALPHA1,
      kind: 'Module',
      metadata: { name: ctx.name },
      properties,
    });
    ctx.log.info({ reason: 'ModuleOffered', source: input.available.join(',') }, 'module created');
  } else if (!same(module.properties ?? {}, properties)) {
    module = await ctx.writer.replace(Modules, { ...module, apiVersion: V1ALPHA1, kind: 'Module', properties });
  }

  const status = module.status ?? {};
  const phase = input.decision.phase ?? status.phase;
  const patches = [
    ...input.decision.conditions,
    ...failureConditions(status.conditions as Condition[] | undefined, 'releases', input.failure),
  ];
  const merged = mergeConditions(status.conditions as Condition[] | undefined, patches, ctx.now);
  const ready = readyColumn(phase, merged.conditions);
  if (merged.changed || phase !== status.phase || ready !== status.ready) {
    module = await ctx.writer.patch<Module>(
      Modules,
      ctx.name,
      module.metadata.resourceVersion,
      {
        status: { ...(phase ? { phase } : {}), conditions: merged.conditions, ready },
      },
      'status',
    );
    if (phase !== status.phase) ctx.log.info({ phase, reason: phase }, 'module phase changed');
  }
  ctx.moduleObject = module;
  return module;
}

/** §9: the decision for this module's status, given its sources and releases. */
export function decideModuleStatus(
  ctx: ReconcileContext,
  available: string[],
  deployedBefore: boolean,
  releasesCreated: boolean,
): ModuleStatusDecision {
  return deriveModuleStatus({
    config: ctx.config ? { enabled: ctx.config.spec?.enabled, source: ctx.config.spec?.source } : undefined,
    configDeleted: isConfigDeleted(ctx),
    currentSource: ctx.moduleObject?.properties?.source,
    availableSources: available,
    installed: deployedBefore,
    currentPhase: ctx.moduleObject?.status?.phase,
    releasesCreated,
  });
}
