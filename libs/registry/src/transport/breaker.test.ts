import { describe, expect, it } from 'vitest';
import { admit, type BreakerOutcome, type BreakerState, CLOSED, record, statusOutcome } from './breaker.ts';

const policy = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 3_000 };
const fail = (what: string): BreakerOutcome => ({ kind: 'failure', what });
const ok: BreakerOutcome = { kind: 'success' };
const ignored: BreakerOutcome = { kind: 'ignored' };

describe('record', () => {
  it.each<[string, BreakerState, BreakerOutcome, number, BreakerState]>([
    [
      'a first failure is counted',
      CLOSED,
      fail('HTTP 503'),
      10,
      { kind: 'closed', failures: 1, lastFailure: 'HTTP 503' },
    ],
    [
      'below the threshold it stays closed',
      { kind: 'closed', failures: 1 },
      fail('ECONNRESET'),
      10,
      { kind: 'closed', failures: 2, lastFailure: 'ECONNRESET' },
    ],
    [
      'the threshold opens it for openMs',
      { kind: 'closed', failures: 2 },
      fail('HTTP 429'),
      10,
      { kind: 'open', until: 1_010, openings: 1, lastFailure: 'HTTP 429' },
    ],
    ['a success resets the count', { kind: 'closed', failures: 2, lastFailure: 'HTTP 500' }, ok, 10, CLOSED],
    [
      'an ignored outcome changes nothing when closed',
      { kind: 'closed', failures: 2 },
      ignored,
      10,
      { kind: 'closed', failures: 2 },
    ],
    [
      'a late failure leaves an open breaker as it is',
      { kind: 'open', until: 500, openings: 1, lastFailure: 'HTTP 503' },
      fail('HTTP 502'),
      10,
      { kind: 'open', until: 500, openings: 1, lastFailure: 'HTTP 503' },
    ],
    [
      'a failed probe doubles the pause',
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'HTTP 503' },
      fail('HTTP 503'),
      2_000,
      { kind: 'open', until: 4_000, openings: 2, lastFailure: 'HTTP 503' },
    ],
    [
      'the pause is capped at maxOpenMs',
      { kind: 'half-open', openings: 3, probing: true, lastFailure: 'HTTP 503' },
      fail('ETIMEDOUT'),
      2_000,
      { kind: 'open', until: 5_000, openings: 4, lastFailure: 'ETIMEDOUT' },
    ],
    [
      'a good probe closes it',
      { kind: 'half-open', openings: 2, probing: true, lastFailure: 'HTTP 503' },
      ok,
      2_000,
      CLOSED,
    ],
    [
      'an aborted probe lets the next one through',
      { kind: 'half-open', openings: 2, probing: true, lastFailure: 'HTTP 503' },
      ignored,
      2_000,
      { kind: 'half-open', openings: 2, probing: false, lastFailure: 'HTTP 503' },
    ],
  ])('%s', (_name, state, outcome, now, expected) => {
    expect(record(state, outcome, now, policy)).toEqual(expected);
  });
});

describe('record with an alive window (a host: its repositories have breakers of their own)', () => {
  const hostPolicy = { ...policy, aliveWindowMs: 1_000 };
  it.each<[string, BreakerState, BreakerOutcome, number, BreakerState]>([
    ['a success is remembered', CLOSED, ok, 10, { kind: 'closed', failures: 0, lastSuccess: 10 }],
    [
      'failures past the threshold keep it closed while a success is recent',
      { kind: 'closed', failures: 2, lastSuccess: 500 },
      fail('HTTP 500'),
      1_499,
      { kind: 'closed', failures: 3, lastFailure: 'HTTP 500', lastSuccess: 500 },
    ],
    [
      'the threshold opens it once the last success is a window old',
      { kind: 'closed', failures: 7, lastFailure: 'HTTP 500', lastSuccess: 500 },
      fail('ECONNREFUSED'),
      1_500,
      { kind: 'open', until: 2_500, openings: 1, lastFailure: 'ECONNREFUSED' },
    ],
    [
      'the threshold opens it when nothing ever succeeded',
      { kind: 'closed', failures: 2 },
      fail('HTTP 503'),
      10,
      { kind: 'open', until: 1_010, openings: 1, lastFailure: 'HTTP 503' },
    ],
    [
      'a good probe closes it and is remembered',
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'HTTP 503' },
      ok,
      2_000,
      { kind: 'closed', failures: 0, lastSuccess: 2_000 },
    ],
    [
      'a failed probe opens it again, recent success or not',
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'HTTP 503' },
      fail('HTTP 503'),
      2_000,
      { kind: 'open', until: 4_000, openings: 2, lastFailure: 'HTTP 503' },
    ],
  ])('%s', (_name, state, outcome, now, expected) => {
    expect(record(state, outcome, now, hostPolicy)).toEqual(expected);
  });
});

describe('admit', () => {
  it.each<[string, BreakerState, number, boolean, BreakerState]>([
    ['closed: every attempt', { kind: 'closed', failures: 2 }, 0, true, { kind: 'closed', failures: 2 }],
    [
      'open: none before the pause ends',
      { kind: 'open', until: 1_000, openings: 1, lastFailure: 'HTTP 503' },
      999,
      false,
      { kind: 'open', until: 1_000, openings: 1, lastFailure: 'HTTP 503' },
    ],
    [
      'open: one probe once it ends',
      { kind: 'open', until: 1_000, openings: 1, lastFailure: 'HTTP 503' },
      1_000,
      true,
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'HTTP 503' },
    ],
    [
      'half-open: none while the probe runs',
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'x' },
      5_000,
      false,
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'x' },
    ],
    [
      'half-open: a new probe after an aborted one',
      { kind: 'half-open', openings: 1, probing: false, lastFailure: 'x' },
      5_000,
      true,
      { kind: 'half-open', openings: 1, probing: true, lastFailure: 'x' },
    ],
  ])('%s', (_name, state, now, allowed, expected) => {
    expect(admit(state, now)).toEqual({ allowed, state: expected });
  });
});

describe('statusOutcome', () => {
  it.each<[number, BreakerOutcome]>([
    [200, { kind: 'success' }],
    [404, { kind: 'success' }],
    [401, { kind: 'success' }],
    [429, { kind: 'failure', what: 'HTTP 429' }],
    [500, { kind: 'failure', what: 'HTTP 500' }],
    [503, { kind: 'failure', what: 'HTTP 503' }],
  ])('%i', (status, expected) => {
    expect(statusOutcome(status)).toEqual(expected);
  });
});
