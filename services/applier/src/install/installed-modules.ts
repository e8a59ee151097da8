import type { createRedis } from '@modsync/runtime';

type Redis = ReturnType<typeof createRedis>;

/**
 * Where each installed module lives (module → namespace), in Redis so every replica knows: a module disabled on a
 * replica that did not install it (its own store is empty) is still uninstalled, and a disabled module nobody installed
 * costs one HGET instead of a helm call.
 */
export class InstalledModules {
  private readonly redis: Pick<Redis, 'hget' | 'hset' | 'hdel'>;
  private readonly key: string;

  constructor(redis: Pick<Redis, 'hget' | 'hset' | 'hdel'>, key: string) {
    this.redis = redis;
    this.key = key;
  }

  async namespaceOf(module: string): Promise<string | undefined> {
    return (await this.redis.hget(this.key, module)) ?? undefined;
  }

  async record(module: string, namespace: string): Promise<void> {
    await this.redis.hset(this.key, module, namespace);
  }

  async forget(module: string): Promise<void> {
    await this.redis.hdel(this.key, module);
  }
}
