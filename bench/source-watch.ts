// Watches the benchmark's ModuleSources and resolves waits the moment the API server reports a matching status.
import { Informer, type KubeClient, ModuleSources, type ModuleSource } from '@modsync/k8s';

interface Waiter {
  name: string;
  check: (source: ModuleSource) => boolean;
  resolve: (at: { source: ModuleSource; atMs: number }) => void;
}

export class SourceWatch {
  readonly informer: Informer<ModuleSource>;
  private readonly waiters = new Set<Waiter>();

  constructor(kube: KubeClient, labelSelector: string) {
    this.informer = new Informer(kube, ModuleSources, { labelSelector, retryDelayMs: 200 });
    this.informer.on({
      onUpsert: (source) => {
        const atMs = performance.now();
        for (const waiter of this.waiters) {
          if (waiter.name === source.metadata.name && waiter.check(source)) {
            this.waiters.delete(waiter);
            waiter.resolve({ source, atMs });
          }
        }
      },
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.synced;
  }

  /** Resolves with the first version of `name` (the cached one or a later event) that passes `check`, and when it was seen. */
  waitFor(
    name: string,
    check: (source: ModuleSource) => boolean,
    timeoutMs: number,
  ): Promise<{ source: ModuleSource; atMs: number }> {
    const cached = this.informer.get(name);
    if (cached && check(cached)) return Promise.resolve({ source: cached, atMs: performance.now() });
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        name,
        check,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const status = this.informer.get(name)?.status;
        reject(
          new Error(
            `ModuleSource ${name}: condition not met within ${timeoutMs} ms (status: ${JSON.stringify({ ...status, modules: status?.modules?.length })})`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}

/** Synced: `Ready` with `count` modules, none failing, every one at a version. */
export function isSynced(count: number) {
  return (source: ModuleSource): boolean => {
    const status = source.status;
    return (
      status?.message === 'Ready' &&
      status.modulesCount === count &&
      (status.modules?.length ?? 0) === count &&
      (status.modules ?? []).every((m) => !m.pullError && m.version !== undefined && m.version !== 'unknown')
    );
  };
}
