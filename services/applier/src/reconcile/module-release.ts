import {
  MODULE_FAILURES,
  RELEASE_ANNOTATIONS,
  RELEASE_LABELS,
  decideReleases,
  formatKubeTime,
  formatVersion,
  releaseLabels,
  releaseName,
  releaseStatusLabel,
  releasesToCreate,
  toReleaseInput,
  type PlatformState,
  type ModuleFailure,
  type ReleasePhase,
  type ReleaseOutcome,
  type SourceSelection,
} from '@modsync/dkp';
import {
  isConflict,
  KubeApiError,
  ModuleReleases,
  V1ALPHA1,
  type ModuleRelease,
  type ModuleSource,
  type OwnerReference,
} from '@modsync/k8s';
import { listBundleTags, readReleaseMetadata } from '../release-metadata.ts';
import { soonest, type ReconcileContext, type ReconcileDependencies, type StepResult } from './context.ts';

/**
 * The ownerReferences a release should carry in `phase` (pure). A release is owned by its ModuleSource (controller
 * reference, §5), so the garbage collector removes it with the source, except while it is Deployed: then the source's
 * reference is off, so no deletion of the source, whatever its propagation policy, can take the installed release
 * from under its module (dkp-contract.md §1 "Deletion"). `undefined` when the stored ones are right.
 */
export function desiredOwnerReferences(
  release: ModuleRelease,
  phase: string,
  source: ModuleSource | undefined,
): OwnerReference[] | undefined {
  const current = release.metadata.ownerReferences ?? [];
  const sourceName = release.metadata.labels?.[RELEASE_LABELS.source];
  const isSourceRef = (o: OwnerReference) => o.kind === 'ModuleSource';
  const others = current.filter((o) => !isSourceRef(o));
  let desired: OwnerReference[];
  if (phase === 'Deployed') desired = others;
  else if (current.some(isSourceRef)) return undefined;
  // Back to owned once superseded, when its source is still there (and not being deleted).
  else if (source && source.metadata.name === sourceName && source.metadata.uid && !source.metadata.deletionTimestamp) {
    desired = [...others, sourceOwnerReference(source)];
  } else return undefined;
  return desired.length === current.length ? undefined : desired;
}

function sourceOwnerReference(source: ModuleSource): OwnerReference {
  return {
    apiVersion: V1ALPHA1,
    kind: 'ModuleSource',
    name: source.metadata.name,
    uid: source.metadata.uid ?? '',
    controller: true,
  };
}

/** Annotations removed once a release is deployed (§5: apply-now, force and reinstall act once). */
const ONE_SHOT_ANNOTATIONS = [
  RELEASE_ANNOTATIONS.applyNow,
  RELEASE_ANNOTATIONS.legacyApplyNow,
  RELEASE_ANNOTATIONS.force,
  RELEASE_ANNOTATIONS.legacyForce,
  RELEASE_ANNOTATIONS.reinstall,
];

export interface ReleaseStepInput {
  selection: SourceSelection;
  /** Enabled modules → deployed version, for module requirements. */
  platformModules: Record<string, string | undefined>;
}

export interface ReleaseStepResult extends StepResult {
  /** The Deployed release after this step. */
  deployed?: ModuleRelease | undefined;
  /** A release was Deployed when the reconcile began (the module is or was installed). */
  deployedBefore: boolean;
  /** Creating releases failed: the Module's status says so (Reconciling, retried with backoff). */
  failure?: ModuleFailure | undefined;
}

/**
 * Releases of one module (§8, §9): create the ones the selected source's channel calls for, then apply the release
 * decision (`decideReleases`): phases, messages, labels, approval, deployment, supersede, history. Writes only what
 * differs; every write carries the resourceVersion the decision was made on.
 */
export async function reconcileReleases(
  deps: ReconcileDependencies,
  ctx: ReconcileContext,
  input: ReleaseStepInput,
): Promise<ReleaseStepResult> {
  const deployedBefore = ctx.releases.some((r) => r.status?.phase === 'Deployed');
  let requeueAfterMs: number | undefined;
  let failure: ModuleFailure | undefined;
  try {
    await createReleases(deps, ctx, input.selection);
  } catch (err) {
    // The registry or a create failed: decide over what exists, say so on the Module, and come back for the rest.
    if (isConflict(err)) throw err;
    failure = { kind: 'ReleasesNotCreated', detail: err instanceof Error ? err.message : String(err) };
    ctx.log.warn({ err, reason: MODULE_FAILURES.ReleasesNotCreated.reason }, 'releases not created; retrying');
    requeueAfterMs = 30_000;
  }
  if (ctx.releases.length === 0) return { deployedBefore, requeueAfterMs, failure };

  const platform: PlatformState = { ...deps.platform(), modules: input.platformModules };
  const decision = decideReleases({
    module: ctx.name,
    releases: ctx.releases.map(toReleaseInput),
    policy: ctx.policy,
    now: ctx.now,
    moduleReady: ctx.moduleObject?.status?.phase === 'Ready',
    platform,
    moduleEnabled: ctx.enabled,
  });

  // Deploy before superseding: a crash in between leaves two Deployed releases, which the next pass repairs (the
  // highest stays), never none.
  const rank = (o: ReleaseOutcome): number =>
    o.verdict.kind === 'Deploy' ? 0 : o.verdict.kind === 'Supersede' ? 1 : 2;
  const outcomes = [...decision.outcomes].sort((a, b) => rank(a) - rank(b));
  for (const outcome of outcomes) await applyOutcome(ctx, outcome);

  for (const deleted of decision.delete) {
    if (await ctx.writer.delete(ModuleReleases, deleted.name)) {
      ctx.log.info({ release: deleted.name, reason: deleted.reason }, 'release deleted');
    }
    ctx.releases = ctx.releases.filter((r) => r.metadata.name !== deleted.name);
  }

  if (decision.deploy !== undefined) ctx.log.info({ release: decision.deploy, reason: 'Deployed' }, 'release deployed');
  if (decision.recheckAt !== undefined)
    requeueAfterMs = soonest(requeueAfterMs, Math.max(0, decision.recheckAt.getTime() - ctx.now.getTime()) + 50);
  if (ctx.releases.some((r) => (r.status?.phase ?? 'Pending') === 'Pending'))
    requeueAfterMs = soonest(requeueAfterMs, deps.pendingRecheckMs);
  const deployed = ctx.releases.filter((r) => r.status?.phase === 'Deployed').at(-1);
  return { deployed, deployedBefore, requeueAfterMs, failure };
}

async function createReleases(
  deps: ReconcileDependencies,
  ctx: ReconcileContext,
  selection: SourceSelection,
): Promise<void> {
  if (!ctx.enabled || selection.kind !== 'Selected') return;
  const offer = ctx.offers.find((o) => o.source === selection.source);
  const source = ctx.sources.find((s) => s.metadata.name === selection.source);
  // A source being deleted serves what it served until it is gone, but no new release comes from it.
  if (!offer?.release || !source || source.metadata.deletionTimestamp) return;
  const existing = ctx.releases.map((r) => ({ version: r.spec.version, phase: r.status?.phase }));
  let plan = releasesToCreate({ existing, channelVersion: offer.release.version });
  if (plan.kind === 'NeedBundleTags') {
    plan = releasesToCreate({
      existing,
      channelVersion: offer.release.version,
      bundleTags: await listBundleTags(deps.registry, source, ctx.name),
    });
  }
  if (plan.kind === 'NoStepVersions') {
    ctx.log.warn({ source: selection.source, reason: plan.message }, 'no step-by-step versions');
    return;
  }
  if (plan.kind !== 'Create') return;
  for (const planned of plan.releases) {
    // The channel's version as the syncer's event described it; any other version (a step on the way) is read here.
    const described =
      formatVersion(planned.version) === formatVersion(offer.release.version) ? offer.release.metadata : undefined;
    const metadata =
      described ?? (await readReleaseMetadata(deps.registry, source, ctx.name, planned.version, deps.signal));
    const release = buildRelease(ctx, source, offer.release.checksum, planned.version, planned.annotations, metadata);
    try {
      const created = await ctx.writer.create(ModuleReleases, release);
      ctx.releases.push({ ...created, apiVersion: V1ALPHA1, kind: 'ModuleRelease' });
      ctx.log.info(
        { release: release.metadata.name, source: selection.source, reason: planned.cause },
        'release created',
      );
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'AlreadyExists')) throw err;
      // Created by another replica, or our cache is behind: decide on the stored one.
      const stored = await deps.kube.get(ModuleReleases, release.metadata.name);
      if (stored && !ctx.releases.some((r) => r.metadata.name === stored.metadata.name)) ctx.releases.push(stored);
    }
  }
}

function buildRelease(
  ctx: ReconcileContext,
  source: ModuleSource,
  checksum: string,
  version: string,
  annotations: Record<string, string>,
  metadata: {
    weight: number;
    requirements?: ModuleRelease['spec']['requirements'];
    changelog?: Record<string, unknown> | undefined;
  },
): ModuleRelease {
  return {
    apiVersion: V1ALPHA1,
    kind: 'ModuleRelease',
    metadata: {
      name: releaseName(ctx.name, version),
      labels: releaseLabels({
        module: ctx.name,
        source: source.metadata.name,
        digest: checksum,
        policyLabel: ctx.resolved.label,
      }),
      annotations,
      ownerReferences: [sourceOwnerReference(source)],
    },
    spec: {
      moduleName: ctx.name,
      version: formatVersion(version),
      weight: metadata.weight,
      ...(metadata.requirements ? { requirements: metadata.requirements } : {}),
      ...(metadata.changelog ? { changelog: metadata.changelog } : {}),
    },
  };
}

/**
 * Writes one release's decided status, labels and annotations, each only when it differs. The status goes first: a
 * one-shot annotation (apply-now, force) is removed only once the phase it brought about is stored, so a conflict in
 * between can never consume the annotation without the deploy (the next pass removes it from the Deployed release).
 */
async function applyOutcome(ctx: ReconcileContext, outcome: ReleaseOutcome): Promise<void> {
  const index = ctx.releases.findIndex((r) => r.metadata.name === outcome.name);
  let release = ctx.releases[index];
  if (!release) return;

  const stored = release.status ?? {};
  const phaseChanged = stored.phase !== outcome.phase;
  const status: Record<string, unknown> = {};
  if (phaseChanged) status.phase = outcome.phase;
  if ((stored.message ?? '') !== outcome.message) status.message = outcome.message;
  if (phaseChanged || stored.transitionTime === undefined) status.transitionTime = formatKubeTime(ctx.now);
  if (outcome.approved !== undefined && outcome.approved !== (stored.approved ?? false))
    status.approved = outcome.approved;
  if (Object.keys(status).length > 0) {
    release = await ctx.writer.patch(
      ModuleReleases,
      outcome.name,
      release.metadata.resourceVersion,
      { status },
      'status',
    );
    ctx.log.debug(
      { release: outcome.name, phase: outcome.phase, reason: outcome.verdict.kind },
      'release status written',
    );
  }

  const labels: Record<string, string | null> = {};
  const annotations: Record<string, null> = {};
  const current = release.metadata.labels ?? {};
  if (outcome.policyLabel !== undefined && current[RELEASE_LABELS.updatePolicy] !== outcome.policyLabel) {
    labels[RELEASE_LABELS.updatePolicy] = outcome.policyLabel;
  }
  if ((current[RELEASE_LABELS.module] ?? '') !== release.spec.moduleName)
    labels[RELEASE_LABELS.module] = release.spec.moduleName;
  const statusLabel = releaseStatusLabel(outcome.phase as ReleasePhase);
  if ((current[RELEASE_LABELS.status] ?? undefined) !== statusLabel)
    labels[RELEASE_LABELS.status] = statusLabel ?? null;
  if (outcome.phase === 'Deployed') {
    for (const name of ONE_SHOT_ANNOTATIONS)
      if (release.metadata.annotations?.[name] !== undefined) annotations[name] = null;
  }
  const source = ctx.sources.find((s) => s.metadata.name === release!.metadata.labels?.[RELEASE_LABELS.source]);
  const ownerReferences = desiredOwnerReferences(release, outcome.phase, source);
  if (Object.keys(labels).length > 0 || Object.keys(annotations).length > 0 || ownerReferences) {
    release = await ctx.writer.patch(ModuleReleases, outcome.name, release.metadata.resourceVersion, {
      metadata: {
        ...(Object.keys(labels).length > 0 ? { labels } : {}),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        ...(ownerReferences ? { ownerReferences } : {}),
      },
    });
  }
  ctx.releases[index] = { ...release, apiVersion: V1ALPHA1, kind: 'ModuleRelease' };
}
