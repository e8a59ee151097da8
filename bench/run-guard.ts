// What every standalone benchmark does around its run: everything it started is stopped, in reverse order, on
// success, failure, a signal (exit 130) or its hard time limit (exit 2), each stop bounded in time.

export interface RunGuard {
  /** Registers a stop, run at cleanup after the ones registered later. */
  onCleanup(what: string, fn: () => Promise<unknown>, timeoutMs?: number): void;
  /** Runs the stops once (later calls wait for the same run). */
  cleanup(): Promise<void>;
}

export function guardRun(say: (line: string) => void, hardLimitMs: number): RunGuard {
  const cleanups: { what: string; fn: () => Promise<unknown>; timeoutMs: number }[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      for (const { what, fn, timeoutMs } of cleanups.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)))]);
        } catch (err) {
          say(`cleanup of ${what} failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const hardLimit = setTimeout(() => {
    say(`over the ${hardLimitMs / 60_000} min limit: stopping`);
    void cleanup().finally(() => process.exit(2));
  }, hardLimitMs);
  hardLimit.unref();
  const onCleanup = (what: string, fn: () => Promise<unknown>, timeoutMs = 40_000): void => {
    cleanups.push({ what, fn, timeoutMs });
  };
  return { onCleanup, cleanup };
}
