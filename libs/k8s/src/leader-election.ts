import type { KubeClient } from './client.ts';
import { isConflict, isNotFound } from './errors.ts';
import { Leases, type Lease } from './resources.ts';
import { sleep } from '@modsync/runtime/backoff';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** This replica's identity (pod name). */
  identity: string;
  /** A lease not renewed for this long may be taken over. @defaultValue 15000 */
  leaseDurationMs?: number;
  /** How often the leader renews. @defaultValue 5000 */
  renewIntervalMs?: number;
  /** How often a follower tries to acquire. @defaultValue 2000 */
  retryIntervalMs?: number;
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading?(): void;
  onError?(err: unknown): void;
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does: create or take over a lease with
 * an optimistic write (resourceVersion), renew it while leading, and step down when a renewal cannot be written within
 * the lease duration. Whether the holder's lease expired is judged only from this replica's own monotonic clock: the
 * record must have stayed unchanged for a whole lease duration since this replica last saw it change. The times written
 * in the record (another node's clock, maybe skewed) are never compared with the local clock.
 */
export class LeaderElector {
  private readonly client: KubeClient;
  private readonly options: Required<Omit<LeaderElectionOptions, 'onStoppedLeading' | 'onError'>> &
    LeaderElectionOptions;
  private readonly stopController = new AbortController();
  private leading: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** The holder's record as last read, and when (local monotonic clock) it was last seen to change. */
  private observedRecord = '';
  private observedAt = 0;
  private readonly now: () => number;

  constructor(client: KubeClient, options: LeaderElectionOptions, now: () => number = () => performance.now()) {
    this.client = client;
    this.now = now;
    this.options = { leaseDurationMs: 15_000, renewIntervalMs: 5_000, retryIntervalMs: 2_000, ...options };
    if (this.options.renewIntervalMs >= this.options.leaseDurationMs)
      throw new TypeError('renewIntervalMs must be shorter than leaseDurationMs');
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  private lease(previous: Lease | undefined, date: Date): Lease {
    const now = microTime(date);
    const taking = previous?.spec.holderIdentity !== this.options.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.name,
        namespace: this.options.namespace,
        ...(previous ? { resourceVersion: previous.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
        acquireTime: taking ? now : (previous?.spec.acquireTime ?? now),
        renewTime: now,
        leaseTransitions: (previous?.spec.leaseTransitions ?? 0) + (taking && previous ? 1 : 0),
      },
    };
  }

  /** Notes the record read; its observed time moves only when the record itself changed. */
  private observe(lease: Lease): void {
    const record = JSON.stringify([
      lease.spec.holderIdentity ?? '',
      lease.spec.leaseDurationSeconds,
      lease.spec.acquireTime,
      lease.spec.renewTime,
      lease.spec.leaseTransitions,
    ]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = this.now();
    }
  }

  /** One attempt to acquire or renew; true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const current = await this.client.get(Leases, this.options.name, this.options.namespace);
    try {
      if (!current) {
        const created = await this.client.create(Leases, this.lease(undefined, new Date()));
        this.observe(created);
        return true;
      }
      this.observe(current);
      const holder = current.spec.holderIdentity;
      const duration = (current.spec.leaseDurationSeconds ?? Math.ceil(this.options.leaseDurationMs / 1000)) * 1000;
      if (holder && holder !== this.options.identity && this.observedAt + duration > this.now()) return false;
      const written = await this.client.replace(Leases, this.lease(current, new Date()));
      this.observe(written);
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  private async run(): Promise<void> {
    const stop = this.stopController.signal;
    let lastRenewal = 0;
    // Durations on the local monotonic clock only.
    while (!stop.aborted) {
      let held = false;
      try {
        held = await this.tryAcquireOrRenew();
      } catch (err) {
        this.options.onError?.(err);
      }
      const now = this.now();
      if (held) {
        lastRenewal = now;
        if (!this.leading) {
          this.leading = new AbortController();
          this.options.onStartedLeading(this.leading.signal);
        }
      } else if (this.leading && now - lastRenewal >= this.options.leaseDurationMs - this.options.renewIntervalMs) {
        this.stepDown();
      }
      // Stopped while waiting: the loop's condition ends it.
      await sleep(this.leading ? this.options.renewIntervalMs : this.options.retryIntervalMs, stop).catch(() => {});
    }
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading.abort();
    this.leading = undefined;
    this.options.onStoppedLeading?.();
  }

  /** Stops electing; a leader releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.loop;
    if (this.leading) {
      this.stepDown();
      try {
        const current = await this.client.get(Leases, this.options.name, this.options.namespace);
        if (current?.spec.holderIdentity === this.options.identity) {
          await this.client.replace(Leases, {
            ...current,
            spec: { ...current.spec, holderIdentity: '', renewTime: microTime(new Date(0)) },
          });
        }
      } catch (err) {
        this.options.onError?.(err);
      }
    }
  }
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
