import { describe, expect, it } from 'vitest';
import { flatness, type Point } from './soak-series.ts';

/** Points one second apart, from t = 0. */
const series = (...values: number[]): Point[] => values.map((value, t) => ({ t, value }));

describe('flatness', () => {
  it.each([
    {
      name: 'a small rise within the relative allowance',
      points: series(100, 100, 100, 101, 101, 101),
      rule: { relative: 0.1, absolute: 5 },
      want: { flat: true, firstMedian: 100, lastMedian: 101, growth: 1, allowed: 10, samples: 6 },
    },
    {
      name: 'growth past the allowance',
      points: series(100, 100, 110, 120, 130, 130),
      rule: { relative: 0.1, absolute: 5 },
      want: { flat: false, firstMedian: 100, lastMedian: 130, growth: 30, allowed: 10, samples: 6 },
    },
    {
      name: 'a small count: the absolute slack is the larger allowance',
      points: series(7, 7, 7, 9, 9, 9),
      rule: { relative: 0.2, absolute: 5 },
      want: { flat: true, firstMedian: 7, lastMedian: 9, growth: 2, allowed: 5, samples: 6 },
    },
    {
      name: 'a saw-tooth (garbage collection): medians of thirds ignore the peaks',
      points: series(10, 50, 10, 10, 50, 10, 10, 50, 10),
      rule: { relative: 0.1, absolute: 1 },
      want: { flat: true, firstMedian: 10, lastMedian: 10, growth: 0, allowed: 1, samples: 9 },
    },
    {
      name: 'a drop is flat',
      points: series(200, 200, 150, 150, 100, 100),
      rule: { relative: 0.1, absolute: 5 },
      want: { flat: true, firstMedian: 200, lastMedian: 100, growth: -100, allowed: 20, samples: 6 },
    },
  ])('$name', ({ points, rule, want }) => {
    expect(flatness(points, rule)).toMatchObject(want);
  });

  it('gives the least-squares slope per hour', () => {
    // Σ(t−2.5)(v−100.5) = 4.5, Σ(t−2.5)² = 17.5: 4.5 / 17.5 per second.
    expect(flatness(series(100, 100, 100, 101, 101, 101), { relative: 0.1, absolute: 5 })?.slopePerHour).toBeCloseTo(
      925.714,
      2,
    );
  });

  it('says nothing with fewer than 6 samples', () => {
    expect(flatness(series(1, 2, 3, 4, 5), { relative: 0.1, absolute: 1 })).toBeUndefined();
  });
});
