import { offeredRelease } from '@modsync/dkp';
import type { DiscoveryEvent, PresentModuleState, ReleaseMetadataState } from '@modsync/events';
import type { ModuleSource, ModuleSourceModuleStatus } from '@modsync/k8s';

/** What one source says about one module right now. */
export interface ModuleOffer {
  source: string;
  /**
   * The `{version, checksum}` of `channel`, when known for the policy the module is resolved with; from an event, with
   * the release image's metadata the syncer read (so the release is created without reading the image again).
   */
  release?: { version: string; checksum: string; metadata?: ReleaseMetadataState | undefined } | undefined;
  pullError?: string | undefined;
  /** Where it was read: the ModuleSource status, or a discovery event newer than that status. */
  from: 'status' | 'event';
}

/** The newest discovery event seen per (source, module), kept until the source's status says the same. */
export interface EventOverlayEntry {
  seq: number;
  /** This replica's clock when the event arrived (only ever compared with this replica's clock). */
  receivedAtMs: number;
  state: DiscoveryEvent['state'];
}

/**
 * Discovery events the ModuleSource status does not reflect yet. The syncer publishes its events and then writes the
 * status, so for a moment an event knows more than the status; once the status entry says what the event says (same
 * version, checksum, pull error; or the module gone from both) the status is the truth again and the entry is dropped.
 * No clock decides it: an event's `at` and the status' `syncTime` come from different clocks at different precisions.
 * Events are hints: losing this overlay (a restart) only means waiting for the status; an entry the status never
 * matched (the status moved on and the newer event was lost) is dropped by {@link EventOverlay.expire}.
 */
export class EventOverlay {
  private readonly entries = new Map<string, EventOverlayEntry>();

  private static key(source: string, module: string): string {
    return `${source}/${module}`;
  }

  /** Keeps the event if it is newer (by `seq`) than the one held. */
  record(event: Pick<DiscoveryEvent, 'source' | 'module' | 'seq' | 'state'>, receivedAtMs: number): void {
    const key = EventOverlay.key(event.source, event.module);
    const held = this.entries.get(key);
    if (held && held.seq >= event.seq) return;
    this.entries.set(key, { seq: event.seq, receivedAtMs, state: event.state });
  }

  /** The event entry for (source, module) while the source's status entry for the module does not say the same. */
  get(source: string, module: string, status: ModuleSourceModuleStatus | undefined): EventOverlayEntry | undefined {
    const key = EventOverlay.key(source, module);
    const held = this.entries.get(key);
    if (!held) return undefined;
    if (!statusAgrees(held.state, status)) return held;
    this.entries.delete(key);
    return undefined;
  }

  /** Whether an event is held for (source, module) that says what `status` says (it was delivered as an event). */
  says(source: string, module: string, status: ModuleSourceModuleStatus | undefined): boolean {
    const held = this.entries.get(EventOverlay.key(source, module));
    return held !== undefined && statusAgrees(held.state, status);
  }

  /** Drops entries that arrived before `beforeMs` (this replica's clock): the status has had time to catch up. */
  expire(beforeMs: number): void {
    for (const [key, entry] of this.entries) if (entry.receivedAtMs < beforeMs) this.entries.delete(key);
  }

  /** Modules of `source` with an entry (for a deleted or unselected source). */
  forgetSource(source: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${source}/`)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Modules whose entry in the source's status changed from `previous` to `current` (pure; syncTime alone is no change)
 * and that no delivered event explains (`delivered`): their discovery event was lost, as when Redis fails over before
 * the stream entry reached the replica, so the status is the path left to them.
 */
export function modulesMissedByEvents(
  previous: ModuleSource,
  current: ModuleSource,
  delivered: (module: string, status: ModuleSourceModuleStatus | undefined) => boolean,
): string[] {
  const entries = (source: ModuleSource) => new Map((source.status?.modules ?? []).map((m) => [m.name, m]));
  const before = entries(previous);
  const after = entries(current);
  const same = (a: ModuleSourceModuleStatus | undefined, b: ModuleSourceModuleStatus | undefined) =>
    a?.version === b?.version &&
    a?.checksum === b?.checksum &&
    a?.pullError === b?.pullError &&
    a?.error === b?.error &&
    a?.policy === b?.policy;
  return [...new Set([...before.keys(), ...after.keys()])].filter(
    (name) => !same(before.get(name), after.get(name)) && !delivered(name, after.get(name)),
  );
}

/** The source's status entry says what an event's state says (pure): gone from both, or the same release and error. */
export function statusAgrees(state: DiscoveryEvent['state'], status: ModuleSourceModuleStatus | undefined): boolean {
  if (!state.present) return status === undefined;
  if (status === undefined) return false;
  const present = state as PresentModuleState;
  const error = status.pullError || status.error || null;
  if (error !== present.pullError) return false;
  if (present.pullError !== null) return true;
  return Object.values(present.channels).some((r) => r.version === status.version && r.checksum === status.checksum);
}

export interface OfferInput {
  source: ModuleSource;
  module: string;
  /** The effective policy's channel (`Stable`). */
  channel: string;
  /**
   * The channel a policy named in `status.modules[].policy` resolves to now (`""` = embedded), or `undefined` when it
   * is gone. The status holds the version of that policy's channel.
   */
  channelOf: (policy: string) => string | undefined;
  event?: EventOverlayEntry | undefined;
}

/**
 * What `source` offers of `module` (pure): from a newer discovery event when there is one, else from the source's
 * status (`offeredRelease`, shared with `modsync plan`). `undefined` = not offered.
 */
export function offerOf(input: OfferInput): ModuleOffer | undefined {
  const source = input.source.metadata.name;
  if (input.event) {
    const state = input.event.state;
    if (!state.present) return undefined;
    const present = state as PresentModuleState;
    const release = present.channels[input.channel];
    return {
      source,
      release: release ? { ...release } : undefined,
      pullError: present.pullError ?? undefined,
      from: 'event',
    };
  }
  const entry = input.source.status?.modules?.find((m) => m.name === input.module);
  if (!entry) return undefined;
  return {
    source,
    release: offeredRelease(entry, input.channel, input.channelOf),
    pullError: entry.pullError || entry.error || undefined,
    from: 'status',
  };
}
