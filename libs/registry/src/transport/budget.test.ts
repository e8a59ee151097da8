import { describe, expect, it } from 'vitest';
import { budgetWindow, RequestBudget } from './budget.ts';

describe('budgetWindow', () => {
  it.each([
    [100, 100, { points: 100, durationSeconds: 1 }],
    [20, 1, { points: 20, durationSeconds: 1 }],
    [1, 10, { points: 10, durationSeconds: 10 }],
    [0.5, 1, { points: 1, durationSeconds: 2 }],
    [10, 25, { points: 30, durationSeconds: 3 }],
  ])('%d/s, burst %d', (rate, burst, expected) => {
    expect(budgetWindow(rate, burst)).toEqual(expected);
  });
});

describe('RequestBudget (in process)', () => {
  it('spends the window, then waits; a wait ends with the signal', async () => {
    const budget = new RequestBudget({ ratePerSecond: 1, burst: 3 });
    for (let i = 0; i < 3; i++) await budget.take('registry.example:5000', undefined);
    const controller = new AbortController();
    const waiting = budget.take('registry.example:5000', controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('keeps one budget per host', async () => {
    const budget = new RequestBudget({ ratePerSecond: 1, burst: 1 });
    await budget.take('a.example', undefined);
    await budget.take('b.example', undefined);
    const controller = new AbortController();
    const waiting = budget.take('a.example', controller.signal);
    controller.abort(new Error('spent'));
    await expect(waiting).rejects.toThrow('spent');
  });

  it('takes nothing when the rate is Infinity', async () => {
    const budget = new RequestBudget({ ratePerSecond: Infinity, burst: 1 });
    for (let i = 0; i < 1_000; i++) await budget.take('a.example', undefined);
  });
});
