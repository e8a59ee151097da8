// The soak's verdict on one sampled series (RSS, heap, event-loop delay, handles): flat or not. Pure, so the rule is
// the same wherever it is read (bench/README.md, "Soak").
import { median } from './util.ts';

export interface Point {
  /** Seconds since the processes started. */
  t: number;
  value: number;
}

export interface FlatRule {
  /** Growth allowed from the first third's median to the last third's, as a fraction of the first (0.1 = 10 %). */
  relative: number;
  /** …or this much in the series' own unit, whichever is larger (small or noisy series: handles, delay). */
  absolute: number;
}

export interface FlatVerdict {
  flat: boolean;
  firstMedian: number;
  lastMedian: number;
  /** lastMedian − firstMedian. */
  growth: number;
  /** The largest growth the rule allows. */
  allowed: number;
  /** Least-squares slope over the steady part, per hour, in the series' unit. */
  slopePerHour: number;
  samples: number;
}

/** Least-squares slope of value over t (per second); 0 with fewer than two distinct times. */
function slope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const mv = points.reduce((s, p) => s + p.value, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.value - mv);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Flat when the median of the last third of the steady samples exceeds the median of the first third by no more than
 * the rule allows. Medians of thirds, not first and last samples: garbage collection makes heap and RSS saw-toothed.
 * Undefined with fewer than 6 samples (thirds of one or two samples say nothing).
 */
export function flatness(points: readonly Point[], rule: FlatRule): FlatVerdict | undefined {
  if (points.length < 6) return undefined;
  const third = Math.floor(points.length / 3);
  const firstMedian = median(points.slice(0, third).map((p) => p.value));
  const lastMedian = median(points.slice(points.length - third).map((p) => p.value));
  const growth = lastMedian - firstMedian;
  const allowed = Math.max(rule.relative * firstMedian, rule.absolute);
  return {
    flat: growth <= allowed,
    firstMedian,
    lastMedian,
    growth,
    allowed,
    slopePerHour: slope(points) * 3600,
    samples: points.length,
  };
}
