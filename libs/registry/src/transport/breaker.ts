// A circuit breaker (of a registry host, or of one repository on it) as a pure state machine: repeated 429/5xx or
// transport failures open it; while open, no request is sent; after the pause one probe goes through (half-open): a
// response that is not a failure closes it, a failure opens it again for twice as long (up to maxOpenMs).

export interface BreakerPolicy {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** First pause. */
  readonly openMs: number;
  /** Longest pause. */
  readonly maxOpenMs: number;
  /**
   * Failures do not open the breaker while an attempt succeeded within this time: what it guards answers, so the
   * failures are its parts' (a host's repositories, each with a breaker of its own). @defaultValue 0 (no such memory)
   */
  readonly aliveWindowMs?: number;
}

export type BreakerState =
  | {
      readonly kind: 'closed';
      readonly failures: number;
      readonly lastFailure?: string | undefined;
      /** When an attempt last succeeded (kept only with an aliveWindowMs). */
      readonly lastSuccess?: number | undefined;
    }
  | { readonly kind: 'open'; readonly until: number; readonly openings: number; readonly lastFailure: string }
  | { readonly kind: 'half-open'; readonly openings: number; readonly probing: boolean; readonly lastFailure: string };

/** What an attempt came to: a 429/5xx or transport failure, another response, or nothing to judge (aborted). */
export type BreakerOutcome =
  | { readonly kind: 'failure'; readonly what: string }
  | { readonly kind: 'success' }
  | { readonly kind: 'ignored' };

export const CLOSED: BreakerState = { kind: 'closed', failures: 0 };

/** May an attempt start now? Opening the way for the one probe of a half-open breaker is part of the answer. */
export function admit(state: BreakerState, now: number): { readonly allowed: boolean; readonly state: BreakerState } {
  switch (state.kind) {
    case 'closed':
      return { allowed: true, state };
    case 'open':
      if (now < state.until) return { allowed: false, state };
      return {
        allowed: true,
        state: { kind: 'half-open', openings: state.openings, probing: true, lastFailure: state.lastFailure },
      };
    case 'half-open':
      if (state.probing) return { allowed: false, state };
      return { allowed: true, state: { ...state, probing: true } };
  }
}

/** The state after an attempt's outcome. */
export function record(state: BreakerState, outcome: BreakerOutcome, now: number, policy: BreakerPolicy): BreakerState {
  const aliveWindowMs = policy.aliveWindowMs ?? 0;
  if (outcome.kind === 'success') {
    if (aliveWindowMs > 0) return { kind: 'closed', failures: 0, lastSuccess: now };
    return state.kind === 'closed' && state.failures === 0 ? state : CLOSED;
  }
  if (outcome.kind === 'ignored') return state.kind === 'half-open' ? { ...state, probing: false } : state;
  switch (state.kind) {
    case 'closed': {
      const failures = state.failures + 1;
      const alive = state.lastSuccess !== undefined && now - state.lastSuccess < aliveWindowMs;
      if (failures < policy.failureThreshold || alive) {
        return {
          kind: 'closed',
          failures,
          lastFailure: outcome.what,
          ...(state.lastSuccess === undefined ? {} : { lastSuccess: state.lastSuccess }),
        };
      }
      return { kind: 'open', until: now + policy.openMs, openings: 1, lastFailure: outcome.what };
    }
    case 'open':
      // An attempt started before the breaker opened: the pause stands.
      return state;
    case 'half-open': {
      const pause = Math.min(policy.maxOpenMs, policy.openMs * 2 ** state.openings);
      return { kind: 'open', until: now + pause, openings: state.openings + 1, lastFailure: outcome.what };
    }
  }
}

/** Outcome of an HTTP status: 429 and 5xx are failures, any other status shows the host answers. */
export function statusOutcome(statusCode: number): BreakerOutcome {
  return statusCode === 429 || statusCode >= 500
    ? { kind: 'failure', what: `HTTP ${statusCode}` }
    : { kind: 'success' };
}
