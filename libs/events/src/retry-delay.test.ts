import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.ts';

describe('retryDelayMs', () => {
  it.each([
    // deliveries, random, expected (base 100, cap 1000)
    [1, 0, 50],
    [1, 0.999999, 100],
    [2, 0, 100],
    [3, 0.5, 300],
    [4, 0, 400],
    [5, 0, 500],
    [10, 1, 1000],
    [60, 0.5, 750],
  ])('after delivery %i with random %d waits %i ms', (deliveries, random, expected) => {
    expect(retryDelayMs(deliveries, 100, 1000, () => random)).toBe(expected);
  });

  it('is 0 with a zero base', () => {
    expect(retryDelayMs(3, 0, 1000, () => 0.5)).toBe(0);
  });
});
