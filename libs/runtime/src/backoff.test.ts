import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  decideRetry,
  DEFAULT_RETRY_ERROR_CODES,
  DEFAULT_RETRY_STATUS_CODES,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from './backoff.ts';

const policy: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 5000,
  statusCodes: new Set(DEFAULT_RETRY_STATUS_CODES),
  errorCodes: new Set(DEFAULT_RETRY_ERROR_CODES),
};

describe('decideRetry', () => {
  it.each([
    // status / code decides retryability
    { name: '200 is final', input: { attempt: 1, statusCode: 200 }, want: { retry: false, reason: 'not-retryable' } },
    { name: '404 is final', input: { attempt: 1, statusCode: 404 }, want: { retry: false, reason: 'not-retryable' } },
    { name: '401 is final', input: { attempt: 1, statusCode: 401 }, want: { retry: false, reason: 'not-retryable' } },
    {
      name: '500 retried, jitter 0 → half',
      input: { attempt: 1, statusCode: 500, random: 0 },
      want: { retry: true, delayMs: 50 },
    },
    {
      name: '503 retried, jitter ~1 → full',
      input: { attempt: 1, statusCode: 503, random: 0.999 },
      want: { retry: true, delayMs: 100 },
    },
    { name: 'backoff doubles', input: { attempt: 3, statusCode: 502, random: 0 }, want: { retry: true, delayMs: 200 } },
    {
      name: 'backoff capped',
      input: { attempt: 3, statusCode: 502, random: 0 },
      policy: { maxDelayMs: 300 },
      want: { retry: true, delayMs: 150 },
    },
    {
      name: 'attempts exhausted',
      input: { attempt: 4, statusCode: 500 },
      want: { retry: false, reason: 'attempts-exhausted' },
    },
    {
      name: 'last retry allowed',
      input: { attempt: 3, statusCode: 500, random: 0 },
      want: { retry: true, delayMs: 200 },
    },
    {
      name: 'ECONNRESET retried',
      input: { attempt: 1, errorCode: 'ECONNRESET', random: 0 },
      want: { retry: true, delayMs: 50 },
    },
    {
      name: 'headers timeout retried',
      input: { attempt: 1, errorCode: 'UND_ERR_HEADERS_TIMEOUT', random: 0 },
      want: { retry: true, delayMs: 50 },
    },
    {
      name: 'TLS error final',
      input: { attempt: 1, errorCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      want: { retry: false, reason: 'not-retryable' },
    },
    { name: 'no status, no code', input: { attempt: 1 }, want: { retry: false, reason: 'not-retryable' } },
    // Retry-After
    {
      name: '429 honours Retry-After',
      input: { attempt: 1, statusCode: 429, retryAfterMs: 2000 },
      want: { retry: true, delayMs: 2000 },
    },
    {
      name: '503 honours Retry-After',
      input: { attempt: 1, statusCode: 503, retryAfterMs: 0 },
      want: { retry: true, delayMs: 0 },
    },
    {
      name: '500 ignores Retry-After',
      input: { attempt: 1, statusCode: 500, retryAfterMs: 2000, random: 0 },
      want: { retry: true, delayMs: 50 },
    },
    {
      name: '429 without Retry-After backs off',
      input: { attempt: 2, statusCode: 429, random: 0 },
      want: { retry: true, delayMs: 100 },
    },
    {
      name: 'Retry-After at the cap',
      input: { attempt: 1, statusCode: 429, retryAfterMs: 5000 },
      want: { retry: true, delayMs: 5000 },
    },
    {
      name: 'Retry-After over the cap',
      input: { attempt: 1, statusCode: 429, retryAfterMs: 5001 },
      want: { retry: false, reason: 'retry-after-too-long' },
    },
    // deadline
    {
      name: 'delay past the deadline',
      input: { attempt: 1, statusCode: 429, retryAfterMs: 2000, remainingMs: 2000 },
      want: { retry: false, reason: 'deadline' },
    },
    {
      name: 'delay before the deadline',
      input: { attempt: 1, statusCode: 429, retryAfterMs: 1999, remainingMs: 2000 },
      want: { retry: true, delayMs: 1999 },
    },
    {
      name: 'no retries configured',
      input: { attempt: 1, statusCode: 500 },
      policy: { maxRetries: 0 },
      want: { retry: false, reason: 'attempts-exhausted' },
    },
  ])('$name', ({ input, policy: override, want }) => {
    const decision = decideRetry({ remainingMs: 60_000, random: 0.5, ...input }, { ...policy, ...override });
    expect(decision).toEqual(want);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    { header: '0', want: 0 },
    { header: '1', want: 1000 },
    { header: ' 120 ', want: 120_000 },
    { header: 'Wed, 01 Jan 2025 00:00:30 GMT', want: 30_000 },
    { header: 'Tue, 31 Dec 2024 23:59:00 GMT', want: 0 },
    { header: '-1', want: undefined },
    { header: '1.5', want: undefined },
    { header: 'soon', want: undefined },
    { header: '', want: undefined },
    { header: undefined, want: undefined },
  ])('$header → $want', ({ header, want }) => {
    expect(parseRetryAfter(header, now)).toBe(want);
  });
});

describe('backoffDelayMs', () => {
  it.each([
    // attempt, base, max, random → delay
    [1, 100, 5_000, 0, 50],
    [1, 100, 5_000, 0.999, 100],
    [2, 100, 5_000, 0.5, 150],
    [4, 100, 5_000, 0, 400],
    [7, 100, 5_000, 0, 2_500],
    [7, 100, 5_000, 0.5, 3_750],
    [40, 100, 5_000, 0, 2_500],
    [0, 500, 60_000, 0, 250],
  ])('attempt %i, base %i, max %i, random %d → %i ms', (attempt, base, max, random, want) => {
    expect(backoffDelayMs(attempt, base, max, random)).toBe(want);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it('rejects with the reason of an aborted signal, at once or while waiting', async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error('stopped')))).rejects.toThrow('stopped');
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stopped later'));
    await expect(waiting).rejects.toThrow('stopped later');
  });
});
