// A syncer replica as a real process running what the image runs (test/env/services.ts, `built`), with what the
// benchmark asks of it: its resync API, its /metrics, its memory.
import { waitFor } from '../test/env/net.ts';
import { Leases, type KubeClient } from '@modsync/k8s';
import type { EnvironmentInfo } from '../test/env/environment.ts';
import { startService, type RunningService } from '../test/env/services.ts';
import { residentMemory } from './util.ts';

export interface SyncerGroup {
  /** Label value of `modsync.bench/group` on the group's ModuleSources; the replicas' source selector. */
  group: string;
  /** Redis prefix (queues, state, events) and Lease namespace, shared by the group's replicas only. */
  prefix: string;
  namespace: string;
  token: string;
}

export const GROUP_LABEL = 'modsync.bench/group';

export class SyncerProcess {
  readonly instance: string;
  readonly service: RunningService;
  private readonly token: string;

  private constructor(instance: string, service: RunningService, token: string) {
    this.instance = instance;
    this.service = service;
    this.token = token;
  }

  static async start(
    env: EnvironmentInfo,
    group: SyncerGroup,
    instance: string,
    extraEnv: Record<string, string> = {},
  ): Promise<SyncerProcess> {
    const service = await startService('syncer', {
      logDir: env.logDir,
      instance,
      // What the image runs: the bundle with the image's Node options (the benchmark builds it first).
      built: true,
      env: {
        MODSYNC_REDIS_URL: env.redis!.url,
        KUBECONFIG: env.kubeconfig!,
        MODSYNC_REDIS_PREFIX: group.prefix,
        MODSYNC_NAMESPACE: group.namespace,
        MODSYNC_SOURCE_SELECTOR: `${GROUP_LABEL}=${group.group}`,
        // Only the benchmark's requests sync: a schedule this long never fires during a run.
        MODSYNC_SYNC_INTERVAL: '10000h',
        MODSYNC_API_TOKEN: group.token,
        MODSYNC_LOG_LEVEL: 'info',
        ...extraEnv,
      },
    });
    return new SyncerProcess(instance, service, group.token);
  }

  get url(): string {
    return this.service.url;
  }

  get pid(): number {
    return this.service.process.child.pid!;
  }

  /** Waits until this replica holds the group's Lease (it schedules, and syncs new sources at once). */
  async leading(kube: KubeClient, namespace: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${this.instance} leading`,
      async () =>
        (await kube.get(Leases, 'modsync-syncer', namespace))?.spec.holderIdentity === `syncer-${this.instance}`,
      timeoutMs,
      50,
    );
  }

  /** POST /sources/<name>/resync; fails unless accepted. */
  async resync(name: string): Promise<void> {
    const response = await fetch(`${this.url}/sources/${encodeURIComponent(name)}/resync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    if (response.status !== 202) throw new Error(`resync ${name} on ${this.instance}: HTTP ${response.status} ${body}`);
  }

  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return response.text();
  }

  memory(): Promise<{ rss: number; peak: number; anon: number; file: number }> {
    return residentMemory(this.pid);
  }

  stop(): Promise<void> {
    return this.service.stop();
  }
}
