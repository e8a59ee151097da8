import {
  channelTag,
  diffSourceStatus,
  RELEASE_IMAGE_FILES,
  RELEASE_IMAGE_MAX_BYTES,
  normalizeVersion,
  parseReleaseMetadata,
  pullErrorText,
  releaseRepository,
  selectModuleNames,
  summarizeSourceStatus,
  withSourceFinalizers,
  type ModuleSyncResult,
  type ReleaseChannel,
  type SourceSyncOutcome,
} from '@modsync/dkp';
import type { DiscoveryEventInput, PresentModuleState } from '@modsync/events';
import { ModuleSources, type KubeClient, type ModuleSource, type ModuleSourceStatus } from '@modsync/k8s';
import {
  parseRegistrySettings,
  RegistryCircuitOpenError,
  RegistryError,
  type RegistryClient,
  type RegistrySettings,
} from '@modsync/registry';
import { mapLimit, type Logger } from '@modsync/runtime';
import { discoveryEvents } from './discovery-events.ts';
import type { ModuleContext } from './module-context.ts';
import type { SyncStateStore } from './sync-state.ts';

export interface SyncDependencies {
  registry: RegistryClient;
  kube: KubeClient;
  store: SyncStateStore;
  publish: (events: readonly DiscoveryEventInput[]) => Promise<unknown>;
  moduleContext: (source: string, module: string) => ModuleContext;
  /** Module channel lookups of one source at once. */
  moduleConcurrency: number;
  now?: () => Date;
}

/** What one sync did, for logs, metrics and tests. */
export interface SyncReport {
  source: string;
  outcome: 'Synced' | 'Failed';
  modules: number;
  pullErrors: number;
  /** Modules whose channel digest moved (their release image was read). */
  fetched: number;
  /** Status fields other than `syncTime` changed (every completed sync writes `syncTime`). */
  statusChanged: boolean;
  /** Writes to the API server: the status patch, and the finalizers after the first good sync. */
  kubernetesWrites: number;
  events: number;
  /** The one module a targeted sync read. */
  only?: string;
  /** The digest that module's channel tag showed (a targeted sync waiting for a pushed digest compares it). */
  onlyDigest?: string;
  error?: string;
}

/**
 * The version a release image's version.json names, or the message of a missing or wrong one (dkp-contract.md §7). Any
 * bytes give one of the two: version.json comes from the registry.
 */
export function releaseImageVersion(
  module: string,
  files: ReadonlyMap<string, Buffer>,
): { version: string } | { error: string } {
  const raw = files.get('version.json');
  if (!raw) return { error: `module "${module}" metadata malformed: no version found` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: `module "${module}" metadata malformed: version.json is not JSON` };
  }
  const version = parsed !== null && typeof parsed === 'object' ? (parsed as { version?: unknown }).version : undefined;
  if (typeof version !== 'string' || version === '')
    return { error: `module "${module}" metadata malformed: no version found` };
  const normalized = normalizeVersion(version);
  return normalized === undefined
    ? { error: 'fetch release metadata error: Invalid Semantic Version' }
    : { version: normalized };
}

async function resolveModule(
  deps: SyncDependencies,
  settings: RegistrySettings,
  module: string,
  channel: ReleaseChannel,
  previous: PresentModuleState | undefined,
): Promise<{ state: PresentModuleState; fetched: boolean }> {
  const repository = releaseRepository(settings.pathPrefix, module);
  const known = previous?.channels[channel];
  try {
    // The one request of an unchanged cycle: has the channel's image moved?
    const head = await deps.registry.headManifest(settings, repository, channelTag(channel));
    if (known && known.checksum === head.digest) {
      return { state: { present: true, channels: { [channel]: known }, pullError: null }, fetched: false };
    }
    // The one read of this image: the version, and what the applier needs to create its release (one path per fact).
    const files = await deps.registry.readImageFiles(settings, repository, head.digest, {
      maxBytes: RELEASE_IMAGE_MAX_BYTES,
      filter: (path) => RELEASE_IMAGE_FILES.has(path),
    });
    const read = releaseImageVersion(module, files);
    if ('error' in read) return { state: { present: true, channels: {}, pullError: read.error }, fetched: true };
    const metadata = parseReleaseMetadata(files);
    return {
      state: {
        present: true,
        channels: { [channel]: { version: read.version, checksum: head.digest, metadata } },
        pullError: null,
      },
      fetched: true,
    };
  } catch (err) {
    return { state: { present: true, channels: {}, pullError: pullErrorOf(err) }, fetched: false };
  }
}

/**
 * DKP's pullError: the registry's own code, message and detail for an HTTP failure (a status that is not 2xx), else
 * the client's message (a 2xx response whose body failed: too large, not matching its digest, cut short).
 */
export function pullErrorOf(err: unknown): string {
  if (
    err instanceof RegistryError &&
    err.method &&
    err.url &&
    err.statusCode !== undefined &&
    (err.statusCode < 200 || err.statusCode > 299)
  ) {
    return pullErrorText({ method: err.method, url: err.url, statusCode: err.statusCode, errors: err.registryErrors });
  }
  return pullErrorText(err instanceof Error ? err.message : String(err));
}

/**
 * One sync of a ModuleSource (dkp-contract.md §9): list the modules, HEAD each module's channel image, read a release
 * image only when its digest moved, then publish the discovery events, write the status, and save the state.
 * Level-triggered and idempotent: a second run with nothing changed in the registry publishes nothing and writes only
 * `syncTime`.
 * With `only` (a registry notification named that module, docs/operations.md#registry-notifications), the catalogue is
 * not listed and only that module's channel image is read; the other modules keep their last state (a module whose
 * channel changed since is read too).
 * The order (events, status, state) makes a crash in between repeat work, never lose it.
 */
export async function syncSource(
  deps: SyncDependencies,
  source: ModuleSource,
  log: Logger,
  only?: string,
): Promise<SyncReport> {
  const name = source.metadata.name;
  const now = (deps.now ?? (() => new Date()))();
  const previous = await deps.store.load(name);
  let outcome: SourceSyncOutcome;
  let next: Map<string, PresentModuleState> = new Map(previous);
  let fetched = 0;
  try {
    const settings = parseRegistrySettings(source.spec.registry);
    // A module never seen before needs the catalogue: then the whole source is synced.
    const targeted = only !== undefined && previous.has(only);
    const names = targeted
      ? [...previous.keys()].sort()
      : selectModuleNames(await deps.registry.listTags(settings, settings.pathPrefix)).names;
    next = new Map();
    const results = await mapLimit(names, deps.moduleConcurrency, async (module): Promise<ModuleSyncResult> => {
      const context = deps.moduleContext(name, module);
      const prior = previous.get(module);
      const keep =
        targeted && module !== only && prior !== undefined && (prior.pullError || prior.channels[context.channel]);
      const resolved = keep
        ? { state: prior, fetched: false }
        : await resolveModule(deps, settings, module, context.channel, prior);
      next.set(module, resolved.state);
      if (resolved.fetched) fetched++;
      const release = resolved.state.channels[context.channel];
      const pullError = resolved.state.pullError ?? undefined;
      if (pullError) log.debug({ module, channel: context.channel, reason: pullError }, 'module pull failed');
      return {
        name: module,
        version: pullError ? undefined : release?.version,
        checksum: pullError ? undefined : release?.checksum,
        pullError,
        policy: context.policy,
        inUse: context.inUse,
      };
    });
    outcome = { kind: 'Synced', modules: results };
  } catch (err) {
    // Bad registry settings or a failed listing: the message says why; modules and state stay as they were (§1).
    outcome = {
      kind: 'Failed',
      error: err instanceof Error ? err.message : String(err),
      registryPaused: err instanceof RegistryCircuitOpenError,
    };
  }

  const events = outcome.kind === 'Synced' ? discoveryEvents(name, previous, next, now) : [];
  if (events.length > 0) await deps.publish(events);

  const status = summarizeSourceStatus(source.status, outcome, now) as ModuleSourceStatus;
  // Every completed sync writes its syncTime, so SYNC in `kubectl get ms` shows the syncer is alive (DKP does the
  // same); one write per cycle: the whole status when something else changed, else syncTime alone.
  const statusChanged = diffSourceStatus(source.status, status).changed;
  let kubernetesWrites = 1;
  const patch = statusChanged
    ? // The whole status object: modules[] is replaced wholesale, so a module gone from the source disappears.
      { ...status, modules: status.modules ?? [] }
    : { syncTime: status.syncTime };
  const written = await deps.kube.mergePatch(ModuleSources, name, { status: patch }, { subresource: 'status' });
  if (outcome.kind === 'Synced') {
    await deps.store.save(name, previous, next);
    // DKP's finalizers, once, after the first good sync: from now on a deletion waits for the syncer (§1 "Deletion").
    const finalizers = withSourceFinalizers(written.metadata.finalizers);
    if (finalizers) {
      await deps.kube.mergePatch(ModuleSources, name, {
        metadata: { resourceVersion: written.metadata.resourceVersion, finalizers },
      });
      kubernetesWrites++;
    }
  }

  const modules = outcome.kind === 'Synced' ? outcome.modules : [];
  const onlyDigest = only === undefined ? undefined : modules.find((m) => m.name === only)?.checksum;
  return {
    source: name,
    outcome: outcome.kind,
    modules: modules.length,
    pullErrors: modules.filter((m) => m.pullError).length,
    fetched,
    statusChanged,
    kubernetesWrites,
    events: events.length,
    ...(only !== undefined ? { only } : {}),
    ...(onlyDigest !== undefined ? { onlyDigest } : {}),
    ...(outcome.kind === 'Failed' ? { error: outcome.error } : {}),
  };
}
