/**
 * `promise`, or the error `onTimeout` makes if it has not settled within `ms`. The promise itself goes on (nothing here
 * can cancel it); its later rejection is not reported as unhandled (the race has handled it).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
