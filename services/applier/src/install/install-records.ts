import type { createRedis } from '@modsync/runtime';
import type { FailedInstall } from './helm-state.ts';

type Redis = Pick<ReturnType<typeof createRedis>, 'hget' | 'hset' | 'hdel'>;

/**
 * What the applier replicas share about installs, in Redis: where each installed module lives (module → namespace), so
 * a module disabled on a replica that did not install it is still uninstalled and a disabled module nobody installed
 * costs one HGET instead of a helm call; and each module's last failed install, so its backoff holds on every replica
 * (a replica that did not see the failure does not retry at once and flip the module through Installing).
 */
export class InstallRecords {
  private readonly redis: Redis;
  private readonly keys: { installed: string; failures: string };

  constructor(redis: Redis, keys: { installed: string; failures: string }) {
    this.redis = redis;
    this.keys = keys;
  }

  async namespaceOf(module: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.installed, module)) ?? undefined;
  }

  async recordInstalled(module: string, namespace: string): Promise<void> {
    await this.redis.hset(this.keys.installed, module, namespace);
  }

  /** The module is uninstalled: neither where it lived nor its failures matter any more. */
  async forget(module: string): Promise<void> {
    await Promise.all([this.redis.hdel(this.keys.installed, module), this.redis.hdel(this.keys.failures, module)]);
  }

  /** The module's last failed install, if any (an unreadable record counts as none). */
  async failure(module: string): Promise<FailedInstall | undefined> {
    const text = await this.redis.hget(this.keys.failures, module);
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<FailedInstall>;
      if (
        typeof parsed.fingerprint !== 'string' ||
        typeof parsed.message !== 'string' ||
        typeof parsed.attempts !== 'number' ||
        typeof parsed.until !== 'number'
      )
        return undefined;
      return parsed as FailedInstall;
    } catch {
      return undefined;
    }
  }

  async recordFailure(module: string, failure: FailedInstall): Promise<void> {
    await this.redis.hset(this.keys.failures, module, JSON.stringify(failure));
  }

  async clearFailure(module: string): Promise<void> {
    await this.redis.hdel(this.keys.failures, module);
  }
}
