import type { DiscoveryEvent, PresentModuleState } from '@modsync/events';
import type { ModuleSource } from '@modsync/k8s';

/** What one source says about one module right now. */
export interface ModuleOffer {
  source: string;
  /** The `{version, checksum}` of `channel`, when known for the policy the module is resolved with. */
  release?: { version: string; checksum: string } | undefined;
  pullError?: string | undefined;
  /** Where it was read: the ModuleSource status, or a discovery event newer than that status. */
  from: 'status' | 'event';
}

/** The newest discovery event seen per (source, module), kept until the source's status catches up with it. */
export interface EventOverlayEntry {
  seq: number;
  at: Date;
  state: DiscoveryEvent['state'];
}

/**
 * Discovery events newer than the ModuleSource status they describe. The syncer publishes its events and then writes
 * the status, so for a moment an event knows more than the status; once the status' `syncTime` reaches the event's
 * `at` the status is the truth again and the entry is dropped. Events are hints: losing this overlay (a restart) only
 * means waiting for the status, which the watch brings.
 */
export class EventOverlay {
  private readonly entries = new Map<string, EventOverlayEntry>();

  private static key(source: string, module: string): string {
    return `${source}/${module}`;
  }

  /** Keeps the event if it is newer (by `seq`) than the one held. */
  record(event: Pick<DiscoveryEvent, 'source' | 'module' | 'seq' | 'at' | 'state'>): void {
    const key = EventOverlay.key(event.source, event.module);
    const held = this.entries.get(key);
    if (held && held.seq >= event.seq) return;
    this.entries.set(key, { seq: event.seq, at: new Date(event.at), state: event.state });
  }

  /** The event entry for (source, module) if it is newer than the source status written at `syncTime`. */
  get(source: string, module: string, syncTime: string | undefined): EventOverlayEntry | undefined {
    const key = EventOverlay.key(source, module);
    const held = this.entries.get(key);
    if (!held) return undefined;
    if (isNewerThanStatus(held.at, syncTime)) return held;
    this.entries.delete(key);
    return undefined;
  }

  /** Modules of `source` with an entry (for a deleted or unselected source). */
  forgetSource(source: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${source}/`)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** An event observed at `at` is newer than a status written at `syncTime` (no status yet: newer). */
export function isNewerThanStatus(at: Date, syncTime: string | undefined): boolean {
  if (syncTime === undefined) return true;
  const written = Date.parse(syncTime);
  return Number.isNaN(written) || at.getTime() > written;
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
 * status. The status holds one channel only (the one the syncer resolved for `status.modules[].policy`), so its version
 * counts only when that policy's channel is the module's current channel. `undefined` = not offered.
 */
export function offerOf(input: OfferInput): ModuleOffer | undefined {
  const source = input.source.metadata.name;
  if (input.event) {
    const state = input.event.state;
    if (!state.present) return undefined;
    const present = state as PresentModuleState;
    const release = present.channels[input.channel];
    return { source, release: release ? { ...release } : undefined, pullError: present.pullError ?? undefined, from: 'event' };
  }
  const entry = input.source.status?.modules?.find((m) => m.name === input.module);
  if (!entry) return undefined;
  const usable =
    input.channelOf(entry.policy ?? '') === input.channel &&
    entry.version !== undefined &&
    entry.version !== '' &&
    entry.version !== 'unknown' &&
    entry.checksum !== undefined &&
    entry.checksum !== '';
  return {
    source,
    release: usable ? { version: entry.version!, checksum: entry.checksum! } : undefined,
    pullError: entry.pullError || entry.error || undefined,
    from: 'status',
  };
}
