import type { KubeClient, ListOptions } from './client.ts';
import { KubeApiError } from './errors.ts';
import type { ResourceType } from './resources.ts';
import { backoffDelayMs, sleep } from '@modsync/runtime/backoff';

export interface InformerHandlers<T> {
  /** Added (also for every object of the initial list and of a re-list). */
  onUpsert?(object: T, previous: T | undefined): void;
  onDelete?(object: T): void;
}

export interface InformerOptions extends ListOptions {
  /** First pause after a failed list or watch; doubles per consecutive failure up to 30 s, with jitter. @defaultValue 1000 */
  retryDelayMs?: number;
  /** Called with every list/watch failure (the informer keeps going). */
  onError?(err: unknown): void;
}

interface Named {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

/**
 * A level-triggered cache of one kind: lists, then watches from the list's resourceVersion; re-lists on `410 Gone`
 * or a broken watch. Handlers see every change; `get`/`list` read the cache (no API call).
 */
export class Informer<T extends Named> {
  private readonly cache = new Map<string, T>();
  private readonly controller = new AbortController();
  private readonly client: KubeClient;
  private readonly type: ResourceType<T>;
  private readonly options: InformerOptions;
  private readonly handlers: InformerHandlers<T>[] = [];
  private loop: Promise<void> | undefined;
  private resolveSynced!: () => void;
  /** Resolves after the first list has filled the cache. */
  readonly synced: Promise<void>;

  constructor(client: KubeClient, type: ResourceType<T>, options: InformerOptions = {}) {
    this.client = client;
    this.type = type;
    this.options = options;
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
  }

  on(handlers: InformerHandlers<T>): this {
    this.handlers.push(handlers);
    return this;
  }

  off(handlers: InformerHandlers<T>): this {
    const index = this.handlers.indexOf(handlers);
    if (index >= 0) this.handlers.splice(index, 1);
    return this;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private key(object: T): string {
    return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
  }

  private upsert(object: T): void {
    const key = this.key(object);
    const previous = this.cache.get(key);
    if (previous?.metadata.resourceVersion === object.metadata.resourceVersion && previous !== undefined) return;
    this.cache.set(key, object);
    for (const h of this.handlers) h.onUpsert?.(object, previous);
  }

  private remove(object: T): void {
    const key = this.key(object);
    const previous = this.cache.get(key);
    if (!this.cache.delete(key)) return;
    for (const h of this.handlers) h.onDelete?.(previous ?? object);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const { items, resourceVersion } = await this.client.list(this.type, this.options);
        const seen = new Set<string>();
        for (const item of items) {
          seen.add(this.key(item));
          this.upsert(item);
        }
        for (const [key, object] of this.cache) if (!seen.has(key)) this.remove(object);
        this.resolveSynced();
        failures = 0;
        let version = resourceVersion;
        // Watch until the server ends it, then watch again from the last version seen; a 410 re-lists.
        while (!signal.aborted) {
          for await (const event of this.client.watch(this.type, {
            ...this.options,
            resourceVersion: version,
            signal,
          })) {
            version = event.object.metadata.resourceVersion ?? version;
            if (event.type === 'BOOKMARK') continue;
            if (event.type === 'DELETED') this.remove(event.object);
            else this.upsert(event.object);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof KubeApiError && (err.reason === 'Gone' || err.reason === 'Expired')))
          this.options.onError?.(err);
        failures++;
        // Stopped while waiting: the loop's condition ends it.
        await sleep(backoffDelayMs(failures, this.options.retryDelayMs ?? 1_000, 30_000, Math.random()), signal).catch(
          () => {},
        );
      }
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }
}
