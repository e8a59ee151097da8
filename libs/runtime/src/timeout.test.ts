import { describe, expect, it } from 'vitest';
import { withTimeout } from './timeout.ts';

describe('withTimeout', () => {
  it('gives the value of a promise that settles in time', async () => {
    expect(await withTimeout(Promise.resolve('done'), 1_000, () => new Error('late'))).toBe('done');
  });

  it("gives the promise's own error when it fails in time", async () => {
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000, () => new Error('late'))).rejects.toThrow(
      'refused',
    );
  });

  it('fails with the timeout error when the promise never settles', async () => {
    await expect(withTimeout(new Promise(() => {}), 10, () => new Error('no answer in 10 ms'))).rejects.toThrow(
      'no answer in 10 ms',
    );
  });
});
