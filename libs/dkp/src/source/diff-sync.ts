import { UNKNOWN_VERSION } from './source-status.ts';

/** What a source said about one module in one sync. */
export interface ModuleSnapshot {
  name: string;
  /** The release channel the module's policy follows (`Stable`). */
  channel?: string | undefined;
  /** `vX.Y.Z`, or absent/`unknown` when the fetch failed. */
  version?: string | undefined;
  checksum?: string | undefined;
  pullError?: string | undefined;
}

/** A discovery change between two syncs of one source. Closed set; the event schema builds on it. */
export type DiscoveryChange =
  | {
      type: 'ModuleAppeared';
      module: string;
      channel?: string | undefined;
      version?: string | undefined;
      checksum?: string | undefined;
    }
  | { type: 'ModuleGone'; module: string }
  /** A new version on the channel (or the module's channel changed to one with another version). */
  | {
      type: 'VersionChanged';
      module: string;
      channel?: string | undefined;
      from?: string | undefined;
      to: string;
      checksum?: string | undefined;
    }
  /** Same version, new digest (a re-push). */
  | {
      type: 'ChecksumChanged';
      module: string;
      channel?: string | undefined;
      version?: string | undefined;
      from?: string | undefined;
      to: string;
    }
  | { type: 'PullErrorSet'; module: string; error: string }
  | { type: 'PullErrorCleared'; module: string };

function known(version: string | undefined): string | undefined {
  return version === undefined || version === '' || version === UNKNOWN_VERSION ? undefined : version;
}

function blank(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

/**
 * The discovery changes from one sync's module list to the next's (docs/events.md): modules that appeared or are gone, a
 * new version on the channel, a new digest for the same version, pull errors set or cleared. A failed fetch is a pull
 * error, never a version change: `unknown` is not a version. Ordered by module name; for one module appearance first.
 */
export function diffSync(previous: readonly ModuleSnapshot[], next: readonly ModuleSnapshot[]): DiscoveryChange[] {
  const before = new Map(previous.map((m) => [m.name, m]));
  const after = new Map(next.map((m) => [m.name, m]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const changes: DiscoveryChange[] = [];
  for (const module of names) {
    const a = before.get(module);
    const b = after.get(module);
    if (b === undefined) {
      changes.push({ type: 'ModuleGone', module });
      continue;
    }
    const version = known(b.version);
    const checksum = blank(b.checksum);
    if (a === undefined) {
      changes.push({ type: 'ModuleAppeared', module, channel: b.channel, version, checksum });
    } else if (version !== undefined) {
      const was = known(a.version);
      if (was !== version) {
        changes.push({ type: 'VersionChanged', module, channel: b.channel, from: was, to: version, checksum });
      } else if (checksum !== undefined && blank(a.checksum) !== checksum) {
        changes.push({
          type: 'ChecksumChanged',
          module,
          channel: b.channel,
          version,
          from: blank(a.checksum),
          to: checksum,
        });
      }
    }
    const errorBefore = blank(a?.pullError);
    const errorAfter = blank(b.pullError);
    if (errorAfter !== undefined && errorAfter !== errorBefore)
      changes.push({ type: 'PullErrorSet', module, error: errorAfter });
    if (errorAfter === undefined && errorBefore !== undefined) changes.push({ type: 'PullErrorCleared', module });
  }
  return changes;
}
