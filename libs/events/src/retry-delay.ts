/**
 * Delay before the next attempt after delivery number `deliveries` failed: `base · 2^(deliveries-1)`, capped at `max`,
 * with equal jitter (half fixed, half random) so that consumers retrying the same poison do not move in lockstep.
 */
export function retryDelayMs(deliveries: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveries - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
