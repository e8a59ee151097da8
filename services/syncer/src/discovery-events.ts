import { diffSync, type ModuleSnapshot } from '@modsync/dkp';
import type { DiscoveryEventInput, PresentModuleState } from '@modsync/events';
import type { SourceState } from './sync-state.ts';

function snapshots(state: SourceState): ModuleSnapshot[] {
  return [...state].map(([name, s]) => {
    const [channel, release] = Object.entries(s.channels)[0] ?? [];
    return {
      name,
      channel,
      version: release?.version,
      checksum: release?.checksum,
      pullError: s.pullError ?? undefined,
    };
  });
}

/**
 * The discovery events of one sync (what changed between two source states), each carrying the module's whole new
 * state so a consumer can apply the newest event per module alone. Pure: the syncer publishes them.
 */
export function discoveryEvents(
  source: string,
  previous: SourceState,
  next: SourceState,
  at: Date,
): DiscoveryEventInput[] {
  const events: DiscoveryEventInput[] = [];
  for (const change of diffSync(snapshots(previous), snapshots(next))) {
    const module = change.module;
    if (change.type === 'ModuleGone') {
      events.push({ type: 'module.gone', source, module, at, state: { present: false } });
      continue;
    }
    const state: PresentModuleState = next.get(module)!;
    const [channel, release] = Object.entries(state.channels)[0] ?? [];
    switch (change.type) {
      case 'ModuleAppeared':
        events.push({ type: 'module.appeared', source, module, at, state });
        break;
      case 'VersionChanged':
        if (channel && release) {
          events.push({
            type: 'channel.version',
            source,
            module,
            at,
            channel,
            version: release.version,
            checksum: release.checksum,
            previousVersion: change.from ?? null,
            state,
          });
        }
        break;
      case 'ChecksumChanged':
        if (channel && release) {
          events.push({
            type: 'module.checksum',
            source,
            module,
            at,
            channel,
            version: release.version,
            checksum: release.checksum,
            previousChecksum: change.from ?? null,
            state,
          });
        }
        break;
      case 'PullErrorSet':
        events.push({ type: 'pull-error.set', source, module, at, error: change.error, state });
        break;
      case 'PullErrorCleared':
        events.push({ type: 'pull-error.cleared', source, module, at, state });
        break;
    }
  }
  return events;
}
