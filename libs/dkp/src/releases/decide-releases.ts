import type { ReleasePhase } from '../layout/release-labels.ts';
import { isApplyNow, isApproved, isForced } from '../policy/annotations.ts';
import { deployGates } from '../policy/deploy-gates.ts';
import { policyForLabel, resolvePolicy, type PolicyContext, type ResolvedPolicy } from '../policy/resolve-policy.ts';
import { parseVersion } from '../version.ts';
import { isInUpdateWindow, nextWindowOpening } from '../windows/update-window.ts';
import { holdMessage, holdRecheckAt, type HoldReason } from './hold-reasons.ts';
import { orderTask, skipMessage, type OrderedRelease, type SkipReason } from './release-order.ts';
import { releasesToDelete, type DeletedRelease } from './release-history.ts';
import { checkRequirements } from './requirements.ts';
import type { PlatformState, ReleaseInput } from './types.ts';

export interface DecideReleasesInput {
  /** The module's name (used in module-dependency messages). */
  module: string;
  /** Every ModuleRelease of the module, any phase, any source. */
  releases: readonly ReleaseInput[];
  policy: PolicyContext;
  now: Date;
  /** The Module's phase is `Ready` (readiness gate, §11.1). */
  moduleReady: boolean;
  platform?: PlatformState | undefined;
  /** A ModulePullOverride is in effect: Pending releases are left alone (§6). */
  overridden?: boolean | undefined;
  /** `false` when the module is disabled: its Pending releases are deleted (§8). Default true. */
  moduleEnabled?: boolean | undefined;
}

/** What happens to one release. */
type ReleaseVerdict =
  /** Nothing to decide: not Pending, or left alone (override, invalid version). */
  | { kind: 'Keep' }
  | { kind: 'Deploy'; by: 'Force' | 'ApplyNow' | 'Policy' }
  /** The Deployed release replaced by this pass's deployment. */
  | { kind: 'Supersede' }
  | { kind: 'Skip'; reason: SkipReason }
  | { kind: 'Hold'; hold: HoldReason };

export interface ReleaseOutcome {
  name: string;
  /** `vX.Y.Z`, or the stored text when it does not parse. */
  version: string;
  verdict: ReleaseVerdict;
  /** Desired `status.phase`. */
  phase: ReleasePhase;
  /** Desired `status.message`. */
  message: string;
  /** Desired update-policy label, only when it must be (re)written (§11.3). */
  policyLabel?: string;
  /** Desired `status.approved`, only when it must be written (Manual mode mirrors the annotation). */
  approved?: boolean;
  /** Phase, message, label or approval differ from what is stored. */
  changed: boolean;
}

export interface ReleasesDecision {
  /** One per input release: ascending by version, unparsable versions last. */
  outcomes: ReleaseOutcome[];
  /** The release to deploy now, if any (at most one per pass). */
  deploy?: string;
  /** Deployed releases that become Superseded. */
  supersede: string[];
  /** Releases to delete: history beyond 3 per source (§8), or Pending ones of a disabled module. */
  delete: DeletedRelease[];
  /** The earliest time a hold may lift by the clock alone (canary, window); requeue then. */
  recheckAt?: Date;
}

function storedPhase(input: ReleaseInput): ReleasePhase {
  return input.phase === undefined || input.phase === '' ? 'Pending' : input.phase;
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface PolicyChoice {
  policy?: ResolvedPolicy;
  hold?: HoldReason;
  relabel?: string;
}

/** The policy a Pending release is judged by, and whether its label must change (§8, §11.3; README "Policy labels"). */
function choosePolicy(context: PolicyContext, effective: ResolvedPolicy, label: string | undefined): PolicyChoice {
  if (label === effective.label) return { policy: effective };
  if (label !== undefined && policyForLabel(context, label) === undefined && label === (context.requested ?? '')) {
    // The ModuleConfig still asks for this policy, but it is gone: wait rather than fall back silently.
    return { hold: { reason: 'PolicyNotFound', policy: label } };
  }
  return { policy: effective, relabel: effective.label };
}

/**
 * The release controller's decision for one module over plain data (§8, §11): for each release its desired phase and
 * message, which release deploys now, which are superseded, which are deleted. Pending releases are judged in
 * ascending order: policy (missing, Ignore) → order rules → force → readiness gate → requirements → canary, windows and
 * approval by the mode matrix. Level-triggered: call again after applying the result; a second pass over the applied
 * result changes nothing unless the clock or the inputs move.
 */
export function decideReleases(input: DecideReleasesInput): ReleasesDecision {
  const { now } = input;
  const enabled = input.moduleEnabled ?? true;
  const platform = input.platform ?? {};
  const effective = resolvePolicy(input.policy);

  const ordered: OrderedRelease[] = [];
  const invalid: ReleaseInput[] = [];
  for (const release of input.releases) {
    const version = parseVersion(release.version);
    if (version === undefined) invalid.push(release);
    else ordered.push({ input: release, version, text: `v${version.version}`, phase: storedPhase(release) });
  }
  ordered.sort((a, b) => a.version.compare(b.version));
  const active = ordered.filter((r) => r.phase !== 'Terminating');
  const deployedAll = active.filter((r) => r.phase === 'Deployed');
  const deployed = deployedAll.at(-1);
  const forced = [...active].reverse().find((r) => r.phase === 'Pending' && isForced(r.input.annotations));

  const verdicts = new Map<OrderedRelease, ReleaseVerdict>();
  const labels = new Map<OrderedRelease, string>();
  const approvals = new Map<OrderedRelease, boolean>();
  const deletions: DeletedRelease[] = [];
  let target: OrderedRelease | undefined;

  const lower = {
    phaseOf: (r: OrderedRelease): ReleasePhase => (verdicts.get(r)?.kind === 'Skip' ? 'Skipped' : r.phase),
    awaitingOf: (r: OrderedRelease): string | undefined => {
      const verdict = verdicts.get(r);
      return verdict?.kind === 'Hold' && verdict.hold.reason === 'AwaitingRelease' ? verdict.hold.version : undefined;
    },
  };

  active.forEach((release, index) => {
    if (release.phase !== 'Pending') return;
    if (!enabled) {
      deletions.push({ name: release.input.name, reason: 'ModuleDisabled' });
      return;
    }
    if (input.overridden === true) return;
    const decide = (verdict: ReleaseVerdict): void => {
      verdicts.set(release, verdict);
    };
    const hold = (reason: HoldReason): void => decide({ kind: 'Hold', hold: reason });

    const choice = choosePolicy(input.policy, effective, release.input.policyLabel);
    if (choice.relabel !== undefined) labels.set(release, choice.relabel);
    if (choice.policy === undefined) return hold(choice.hold ?? { reason: 'PolicyNotFound', policy: '' });
    const spec = choice.policy.spec;
    const annotations = release.input.annotations;
    if (spec.update.mode === 'Manual') approvals.set(release, isApproved(annotations));
    if (spec.update.mode === 'Ignore') return hold({ reason: 'IgnorePolicy' });

    const task = orderTask(active, index, deployed, forced, lower);
    if (release === forced) {
      if (target === undefined) {
        target = release;
        return decide({ kind: 'Deploy', by: 'Force' });
      }
      return hold({ reason: 'AwaitingRelease', version: target.text });
    }
    if (task.kind === 'Skip') return decide({ kind: 'Skip', reason: task.reason });
    if (task.kind === 'Await') return hold(task.hold);

    if (!task.single && !task.patch && !input.moduleReady) {
      return hold({ reason: 'ModuleNotReady', deployed: task.deployed?.text });
    }
    const failures = checkRequirements(input.module, release.input.requirements, platform);
    if (failures.length > 0) return hold({ reason: 'RequirementsNotMet', failures });

    const applyNow = isApplyNow(annotations);
    if (!applyNow) {
      const gates = deployGates(spec.update.mode, task.patch ? 'patch' : 'minor');
      const applyAfter = toDate(release.input.applyAfter);
      const postponed = gates.canary && applyAfter !== undefined && applyAfter.getTime() > now.getTime();
      const applyTime = postponed && applyAfter !== undefined ? applyAfter : now;
      const outside = gates.windows && !isInUpdateWindow(spec.update.windows, applyTime);
      if (gates.approval && !isApproved(annotations)) return hold({ reason: 'AwaitingApproval' });
      if (outside) {
        return hold({
          reason: 'OutsideUpdateWindow',
          until: nextWindowOpening(spec.update.windows, applyTime),
          postponed,
        });
      }
      if (postponed && applyAfter !== undefined) return hold({ reason: 'Postponed', until: applyAfter });
    }
    if (target !== undefined) return hold({ reason: 'AwaitingRelease', version: target.text });
    target = release;
    return decide({ kind: 'Deploy', by: applyNow ? 'ApplyNow' : 'Policy' });
  });

  // One Deployed release per module: the deployment replaces the current one; stray lower ones are repaired.
  const supersede = deployedAll.filter((r) => r !== deployed || target !== undefined);
  for (const release of supersede) verdicts.set(release, { kind: 'Supersede' });

  const outcomes: ReleaseOutcome[] = ordered.map((release) => {
    const verdict = verdicts.get(release) ?? { kind: 'Keep' };
    const storedMessage = release.input.message ?? '';
    let phase: ReleasePhase = release.phase;
    let message = storedMessage;
    switch (verdict.kind) {
      case 'Deploy':
        phase = 'Deployed';
        message = '';
        break;
      case 'Supersede':
        phase = 'Superseded';
        message = '';
        break;
      case 'Skip':
        phase = 'Skipped';
        message = skipMessage(verdict.reason);
        break;
      case 'Hold':
        phase = 'Pending';
        message = holdMessage(verdict.hold);
        break;
      case 'Keep':
        break;
    }
    const outcome: ReleaseOutcome = {
      name: release.input.name,
      version: release.text,
      verdict,
      phase,
      message,
      changed: phase !== release.input.phase || message !== storedMessage,
    };
    const label = labels.get(release);
    if (label !== undefined) {
      outcome.policyLabel = label;
      outcome.changed = true;
    }
    const approved = approvals.get(release);
    if (approved !== undefined && approved !== (release.input.approved ?? false)) {
      outcome.approved = approved;
      outcome.changed = true;
    }
    return outcome;
  });
  for (const release of invalid) {
    outcomes.push({
      name: release.name,
      version: release.version,
      verdict: { kind: 'Keep' },
      phase: storedPhase(release),
      message: release.message ?? '',
      changed: false,
    });
  }

  const finalPhases = outcomes
    .filter((o) => parseVersion(o.version) !== undefined)
    .map((o) => ({ name: o.name, version: o.version, phase: o.phase, source: sourceOf(input.releases, o.name) }));
  const history = releasesToDelete(finalPhases);
  const decision: ReleasesDecision = {
    outcomes,
    supersede: supersede.map((r) => r.input.name),
    delete: [...deletions, ...history.filter((h) => !deletions.some((d) => d.name === h.name))],
  };
  if (target !== undefined) decision.deploy = target.input.name;
  for (const outcome of outcomes) {
    if (outcome.verdict.kind !== 'Hold') continue;
    const at = holdRecheckAt(outcome.verdict.hold);
    if (at !== undefined && (decision.recheckAt === undefined || at < decision.recheckAt)) decision.recheckAt = at;
  }
  return decision;
}

function sourceOf(releases: readonly ReleaseInput[], name: string): string {
  return releases.find((r) => r.name === name)?.source ?? '';
}
