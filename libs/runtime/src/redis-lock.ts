import { randomUUID } from 'node:crypto';
import { withTimeout } from './timeout.ts';
import type { createRedis } from './redis.ts';

/** Redis did not answer a lock call (down, or slower than `commandTimeoutMs`): the work is retried, never run unlocked. */
class LockUnavailableError extends Error {
  override readonly name = 'LockUnavailableError';
  readonly code = 'MODSYNC_LOCK_UNAVAILABLE';
  readonly retryable = true;
  /** What the lock guards (a module, a ModuleSource). */
  readonly lockName: string;
  constructor(message: string, lockName: string, options?: ErrorOptions) {
    super(message, options);
    this.lockName = lockName;
  }
}

/** A held lock could not be renewed in time or was taken over: what ran under it is stopped, and retried. */
class LockLostError extends Error {
  override readonly name = 'LockLostError';
  readonly code = 'MODSYNC_LOCK_LOST';
  readonly retryable = true;
  readonly lockName: string;
  constructor(message: string, lockName: string) {
    super(message);
    this.lockName = lockName;
  }
}

// Compare-and-pexpire / compare-and-delete: only the token that took the lock may extend or free it.
const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface RedisLocksOptions {
  /** A connection whose commands fail rather than wait long for a reconnect (createRedis). */
  redis: Pick<ReturnType<typeof createRedis>, 'set' | 'eval'>;
  /** Keys are `<prefix>:<name>`. */
  prefix: string;
  /** This replica (the start of every token, so `GET <key>` shows the holder: `<identity>/<random>`). */
  identity: string;
  /** Expiry of a lock nobody renews: how long a dead replica blocks what it held. @defaultValue 30000 */
  ttlMs?: number;
  /**
   * Limit of one Redis call; below ttlMs / 3 so a failed renewal is noticed before the lock expires.
   * @defaultValue min(5000, ttlMs / 4)
   */
  commandTimeoutMs?: number;
}

/**
 * Named locks shared by every replica (one sync of a ModuleSource, one install of a module at a time across the fleet):
 * SET NX PX with a random token, renewed at ttl/3 while held, freed with compare-and-delete. A replica that dies holding
 * one blocks it for at most `ttlMs`.
 */
export class RedisLocks {
  private readonly options: Required<RedisLocksOptions>;

  constructor(options: RedisLocksOptions) {
    const ttlMs = options.ttlMs ?? 30_000;
    const resolved = { ttlMs, commandTimeoutMs: Math.min(5_000, ttlMs / 4), ...options };
    if (!(resolved.ttlMs >= 300))
      throw new RangeError(`RedisLocks: ttlMs must be at least 300 (got ${resolved.ttlMs})`);
    if (!(resolved.commandTimeoutMs > 0 && resolved.commandTimeoutMs < resolved.ttlMs / 3)) {
      throw new RangeError(
        `RedisLocks: commandTimeoutMs must be positive and below ttlMs / 3 (got ${resolved.commandTimeoutMs})`,
      );
    }
    this.options = Object.freeze(resolved);
  }

  /** The lock `name`, or undefined when another holder has it. Throws LockUnavailableError when Redis fails. */
  async acquire(name: string): Promise<RedisLock | undefined> {
    const { redis, prefix, identity, ttlMs } = this.options;
    const key = `${prefix}:${name}`;
    const token = `${identity}/${randomUUID()}`;
    const sentAt = Date.now();
    const taken = await this.call(name, 'take', redis.set(key, token, 'PX', ttlMs, 'NX'));
    if (taken !== 'OK') return undefined;
    return new RedisLock(name, sentAt + ttlMs, {
      renew: async () => (await this.call(name, 'renew', redis.eval(RENEW, 1, key, token, ttlMs))) === 1,
      release: async () => {
        await this.call(name, 'release', redis.eval(RELEASE, 1, key, token));
      },
      ttlMs,
    });
  }

  /**
   * Runs `fn` holding the lock `name` and frees it after (a failed release is left to the TTL); undefined when another
   * holder has it. `fn` gets the lock, whose `signal` aborts when the lock can no longer be counted on.
   */
  async withLock<T>(name: string, fn: (lock: RedisLock) => Promise<T>): Promise<{ value: T } | undefined> {
    const lock = await this.acquire(name);
    if (!lock) return undefined;
    try {
      return { value: await fn(lock) };
    } finally {
      await lock.release().catch(() => {});
    }
  }

  private async call<T>(name: string, what: string, command: Promise<T>): Promise<T> {
    const { commandTimeoutMs } = this.options;
    try {
      return await withTimeout(
        command,
        commandTimeoutMs,
        () => new LockUnavailableError(`lock ${name}: ${what}: no answer from Redis in ${commandTimeoutMs} ms`, name),
      );
    } catch (err) {
      if (err instanceof LockUnavailableError) throw err;
      throw new LockUnavailableError(`lock ${name}: ${what}: ${(err as Error).message}`, name, { cause: err });
    }
  }
}

interface LockCalls {
  /** true = still ours and extended; false = someone else's now. */
  renew: () => Promise<boolean>;
  release: () => Promise<void>;
  ttlMs: number;
}

/** A held lock: `signal` aborts (with LockLostError) once it can no longer be counted on. */
export class RedisLock {
  readonly name: string;
  private readonly controller = new AbortController();
  private readonly calls: LockCalls;
  /** Until when the lock is surely ours: the send time of the last successful take or renewal, plus the TTL. */
  private validUntil: number;
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(name: string, validUntil: number, calls: LockCalls) {
    this.name = name;
    this.validUntil = validUntil;
    this.calls = calls;
    this.schedule();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops renewing and frees the lock if it is still ours (else its TTL frees it). */
  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) await this.calls.release();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.renew(), this.calls.ttlMs / 3);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const sentAt = Date.now();
    let ours: boolean;
    try {
      ours = await this.calls.renew();
    } catch {
      // Redis did not answer: keep going while the lock surely outlives the next attempt, stop before it may expire.
      if (this.validUntil - Date.now() > this.calls.ttlMs / 3) return this.reschedule();
      return this.lose(`lock ${this.name} not renewed: Redis did not answer before it could expire`);
    }
    if (!ours) return this.lose(`lock ${this.name} expired and was taken by another holder`);
    this.validUntil = sentAt + this.calls.ttlMs;
    this.reschedule();
  }

  private reschedule(): void {
    if (!this.released && !this.controller.signal.aborted) this.schedule();
  }

  private lose(message: string): void {
    if (!this.released) this.controller.abort(new LockLostError(message, this.name));
  }
}
