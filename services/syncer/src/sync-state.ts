import type { RedisClient } from '@modsync/runtime';
import { PresentModuleStateSchema, type PresentModuleState } from '@modsync/events';
import type { SyncerKeys } from './keys.ts';

/** The last state the syncer saw of every module of a source: what an unchanged cycle compares its HEADs with. */
export type SourceState = ReadonlyMap<string, PresentModuleState>;

/**
 * The state kept between syncs: versions, digests and errors. A release's metadata (weight, requirements, changelog)
 * travels in the discovery event of the sync that read it and is not kept: an unchanged cycle needs only the digest.
 */
function withoutMetadata(state: PresentModuleState): PresentModuleState {
  const channels = Object.fromEntries(
    Object.entries(state.channels).map(([channel, release]) => [
      channel,
      { version: release.version, checksum: release.checksum },
    ]),
  );
  return { ...state, channels };
}

/** Source state in one Redis hash per source (module → JSON), so a restart or another replica resumes from it. */
export class SyncStateStore {
  private readonly redis: RedisClient;
  private readonly keys: SyncerKeys;

  constructor(redis: RedisClient, keys: SyncerKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  async load(source: string): Promise<Map<string, PresentModuleState>> {
    const raw = await this.redis.hgetall(this.keys.state(source));
    const state = new Map<string, PresentModuleState>();
    for (const [module, json] of Object.entries(raw)) {
      const parsed = PresentModuleStateSchema.safeParse(JSON.parse(json));
      // An unreadable entry is treated as unknown: the module is resolved afresh.
      if (parsed.success) state.set(module, parsed.data);
    }
    return state;
  }

  /** Writes only the modules whose state changed and drops the gone ones (one round trip, atomic). */
  async save(source: string, previous: SourceState, next: SourceState): Promise<void> {
    const key = this.keys.state(source);
    const multi = this.redis.multi();
    let writes = 0;
    for (const [module, state] of next) {
      const json = JSON.stringify(withoutMetadata(state));
      const before = previous.get(module);
      if (before === undefined || JSON.stringify(withoutMetadata(before)) !== json) {
        multi.hset(key, module, json);
        writes++;
      }
    }
    const gone = [...previous.keys()].filter((m) => !next.has(m));
    if (gone.length > 0) {
      multi.hdel(key, ...gone);
      writes++;
    }
    if (writes > 0) await multi.exec();
  }

  async delete(source: string): Promise<void> {
    await this.redis.del(this.keys.state(source));
  }
}
