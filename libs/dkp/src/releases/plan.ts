import { releaseName } from '../layout/release-name.ts';
import { resolvePolicy, type PolicyContext } from '../policy/resolve-policy.ts';
import type { UpdateMode } from '../policy/types.ts';
import type { SourceSelection } from '../source/select-source.ts';
import { formatVersion } from '../version.ts';
import { decideReleases } from './decide-releases.ts';
import { holdMessage, holdRecheckAt, type HoldReason } from './hold-reasons.ts';
import { releasesToCreate } from './releases-to-create.ts';
import type { PlatformState, ReleaseInput } from './types.ts';

/** What holds a module's next release (`modsync plan`, docs/cli.md#modsync-plan). */
type PlanGate =
  | 'SourceConflict'
  | 'NoSource'
  | 'UpdateWindow'
  | 'Canary'
  | 'ManualApproval'
  | 'Requirements'
  | 'IgnoreMode'
  | 'Order'
  | 'ModuleNotReady'
  | 'PolicyNotFound';

export interface PlanModuleInput {
  module: string;
  policy: PolicyContext;
  /** The conflict rule's answer (`selectSource`) over the sources offering the module. */
  selection: SourceSelection;
  /** The version the selected source's channel offers now (`offeredRelease`), if any. */
  offered?: string | undefined;
  /** Every ModuleRelease of the module (`toReleaseInput`). */
  releases: readonly ReleaseInput[];
  moduleReady: boolean;
  platform?: PlatformState | undefined;
  now: Date;
}

export interface ModulePlan {
  module: string;
  /** The source it is served from; absent in a conflict or with none. */
  source?: string | undefined;
  channel: string;
  mode: UpdateMode;
  /** The effective policy's label (`deckhouse` for the embedded one). */
  policy: string;
  /** The Deployed version. */
  deployed?: string | undefined;
  /** The release that deploys next: `exists: false` when the applier has yet to create it from the channel. */
  next?: { name: string; version: string; exists: boolean } | undefined;
  /** `Deploy`: nothing holds `next`; `Hold`: `gate` does; `UpToDate`: nothing is pending. */
  action: 'Deploy' | 'Hold' | 'UpToDate';
  gate?: PlanGate | undefined;
  /** The release's status message for the gate (DKP's words), or why the module has no source. */
  message?: string | undefined;
  /** When the gate opens by the clock alone (window, canary). */
  opensAt?: Date | undefined;
  /** What opens the gate otherwise. */
  opensWhen?: string | undefined;
}

function gateOf(hold: HoldReason, release: string, exists: boolean): { gate: PlanGate; opensWhen?: string } {
  switch (hold.reason) {
    case 'OutsideUpdateWindow':
      return hold.until === undefined
        ? { gate: 'UpdateWindow', opensWhen: 'never: no update window can open' }
        : { gate: 'UpdateWindow' };
    case 'Postponed':
      return { gate: 'Canary' };
    case 'AwaitingApproval':
      return {
        gate: 'ManualApproval',
        opensWhen: `${exists ? 'when' : 'once created, when'} approved: modsync release approve ${release}`,
      };
    case 'RequirementsNotMet':
      return { gate: 'Requirements', opensWhen: 'when the platform meets the requirements' };
    case 'IgnorePolicy':
      return { gate: 'IgnoreMode', opensWhen: 'when the update policy’s mode is not Ignore' };
    case 'AwaitingRelease':
      return { gate: 'Order', opensWhen: `when ${hold.version} is deployed` };
    case 'MinorVersionStep':
    case 'MajorVersionStep':
      return { gate: 'Order', opensWhen: 'when the intermediate releases exist and are deployed' };
    case 'ModuleNotReady':
      return { gate: 'ModuleNotReady', opensWhen: 'when the module is Ready' };
    case 'PolicyNotFound':
      return {
        gate: 'PolicyNotFound',
        opensWhen: `when ModuleUpdatePolicy ${hold.policy} exists or the ModuleConfig names another`,
      };
  }
}

/**
 * What the release controller will do next for one enabled module, and why (§8, §9, §11), by the functions the applier
 * decides with: the releases the channel calls for are added as the applier would create them (`releasesToCreate`),
 * then `decideReleases` judges them all at `now`. The next release is the one it deploys, else the lowest one it
 * holds; its hold is the gate. Pure.
 */
export function planModule(input: PlanModuleInput): ModulePlan {
  const resolved = resolvePolicy(input.policy);
  const base = {
    module: input.module,
    channel: resolved.spec.releaseChannel,
    mode: resolved.spec.update.mode,
    policy: resolved.label,
  };
  const deployedRelease = input.releases.filter((r) => r.phase === 'Deployed').at(-1);
  const deployed = deployedRelease ? formatVersion(deployedRelease.version) : undefined;
  const selection = input.selection;
  if (selection.kind === 'Conflict') {
    return {
      ...base,
      deployed,
      action: 'Hold',
      gate: 'SourceConflict',
      message: `several sources offer the module: ${selection.sources.join(', ')}`,
      opensWhen: 'when the ModuleConfig’s spec.source names one of them',
    };
  }
  const source = selection.kind === 'Selected' ? selection.source : undefined;

  const releases = [...input.releases];
  const created = new Set(releases.map((r) => r.name));
  if (source !== undefined && input.offered !== undefined) {
    const existing = releases.map((r) => ({ version: r.version, phase: r.phase }));
    const plan = releasesToCreate({ existing, channelVersion: input.offered });
    // Step versions need the bundle tags from the registry: the plan shows the channel's version, which comes last.
    const toCreate =
      plan.kind === 'Create'
        ? plan.releases
        : plan.kind === 'NeedBundleTags'
          ? [{ version: formatVersion(input.offered), annotations: {} }]
          : [];
    for (const planned of toCreate) {
      releases.push({
        name: releaseName(input.module, planned.version),
        version: planned.version,
        phase: 'Pending',
        source,
        policyLabel: resolved.label,
        annotations: planned.annotations,
      });
    }
  }

  const decision = decideReleases({
    module: input.module,
    releases,
    policy: input.policy,
    now: input.now,
    moduleReady: input.moduleReady,
    platform: input.platform,
  });
  const next = (name: string, version: string) => ({ name, version, exists: created.has(name) });
  const deploying = decision.outcomes.find((o) => o.name === decision.deploy);
  if (deploying) return { ...base, source, deployed, next: next(deploying.name, deploying.version), action: 'Deploy' };
  const held = decision.outcomes.find((o) => o.verdict.kind === 'Hold');
  if (held && held.verdict.kind === 'Hold') {
    const hold = held.verdict.hold;
    const gate = gateOf(hold, held.name, created.has(held.name));
    return {
      ...base,
      source,
      deployed,
      next: next(held.name, held.version),
      action: 'Hold',
      gate: gate.gate,
      message: holdMessage(hold),
      opensAt: holdRecheckAt(hold),
      opensWhen: gate.opensWhen,
    };
  }
  if (source === undefined && deployed === undefined) {
    return {
      ...base,
      action: 'Hold',
      gate: 'NoSource',
      message: 'no ModuleSource offers the module',
      opensWhen: 'when a ModuleSource offers it',
    };
  }
  return { ...base, source, deployed, action: 'UpToDate' };
}

/**
 * The enabled modules and their deployed versions (`Module.properties.version`, `""` with nothing deployed), as module
 * requirements are checked against them (§8 `PlatformState.modules`).
 */
export function enabledModuleVersions(
  configs: readonly { metadata: { name: string }; spec?: { enabled?: boolean | undefined } | undefined }[],
  deployedVersion: (module: string) => string | undefined,
): Record<string, string | undefined> {
  const modules: Record<string, string | undefined> = {};
  for (const config of configs) {
    if (config.spec?.enabled !== true) continue;
    modules[config.metadata.name] = deployedVersion(config.metadata.name) ?? '';
  }
  return modules;
}
