import { formatKubeTime } from '../windows/format-time.ts';

type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A status condition as stored (`status.conditions[]`, merged by type). */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string | undefined;
  message?: string | undefined;
  lastProbeTime?: string | undefined;
  lastTransitionTime?: string | undefined;
}

/** A desired condition, without timestamps. An absent reason/message means none. */
export interface ConditionPatch {
  type: string;
  status: ConditionStatus;
  reason?: string | undefined;
  message?: string | undefined;
}

/**
 * Merges desired conditions into stored ones by type. A condition whose status, reason and message are unchanged is
 * kept as is, timestamps included, so an unchanged state produces an identical array and `changed: false` (no write).
 * A changed one gets `lastProbeTime = now`, and `lastTransitionTime = now` when its status moved. New ones are appended.
 */
export function mergeConditions(
  existing: readonly Condition[] | undefined,
  patches: readonly ConditionPatch[],
  now: Date,
): { conditions: Condition[]; changed: boolean } {
  const stamp = formatKubeTime(now);
  const conditions = (existing ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const patch of patches) {
    const index = conditions.findIndex((c) => c.type === patch.type);
    const current = index === -1 ? undefined : conditions[index];
    if (
      current !== undefined &&
      current.status === patch.status &&
      (current.reason ?? '') === (patch.reason ?? '') &&
      (current.message ?? '') === (patch.message ?? '')
    ) {
      continue;
    }
    const next: Condition = { type: patch.type, status: patch.status };
    if (patch.reason !== undefined && patch.reason !== '') next.reason = patch.reason;
    if (patch.message !== undefined && patch.message !== '') next.message = patch.message;
    next.lastProbeTime = stamp;
    next.lastTransitionTime =
      current !== undefined && current.status === patch.status ? (current.lastTransitionTime ?? stamp) : stamp;
    if (current === undefined) conditions.push(next);
    else conditions[index] = next;
    changed = true;
  }
  return { conditions, changed };
}
