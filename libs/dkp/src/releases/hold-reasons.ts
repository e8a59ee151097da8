import { formatMessageTime } from '../windows/format-time.ts';
import { requirementsMessage, type RequirementFailure } from './requirements.ts';

/**
 * The guide's approval message, used verbatim (§10.5; the guide's `kubectl get mr` output wins over §5's
 * `Release is waiting for the 'modules.deckhouse.io/approved: "true"' annotation`).
 */
export const APPROVAL_MESSAGE = `Waiting for the 'release.deckhouse.io/approved: "true"' annotation`;

const IGNORE_POLICY_MESSAGE = `Update disabled by 'Ignore' update policy`;

/**
 * Why a Pending release is not deployed now. A closed set: every message a held release can show comes from one of
 * these, rendered by {@link holdMessage}.
 */
export type HoldReason =
  /** The release's update-policy label names a ModuleUpdatePolicy that no longer exists. */
  | { reason: 'PolicyNotFound'; policy: string }
  /** The policy's mode is `Ignore`. */
  | { reason: 'IgnorePolicy' }
  /** A lower release (the first of a Pending chain) must deploy first. */
  | { reason: 'AwaitingRelease'; version: string }
  /** The release skips a minor version over the previous one. */
  | { reason: 'MinorVersionStep'; previous: string }
  /** The release skips a major version over the previous one (only 0 → 1 may pass). */
  | { reason: 'MajorVersionStep'; previous: string }
  /** A minor/major update waits for the module to be Ready (§11.1). */
  | { reason: 'ModuleNotReady'; deployed?: string | undefined }
  /** `spec.requirements` not met. */
  | { reason: 'RequirementsNotMet'; failures: RequirementFailure[] }
  /** Manual approval is required and missing. */
  | { reason: 'AwaitingApproval' }
  /** Canary: `spec.applyAfter` is in the future. */
  | { reason: 'Postponed'; until: Date }
  /** Outside the update windows; `until` is the next opening, absent if no window can open. */
  | { reason: 'OutsideUpdateWindow'; until?: Date | undefined; postponed: boolean };

/** The `status.message` of a release held for `hold`, in DKP's (or the guide's) words. */
export function holdMessage(hold: HoldReason): string {
  switch (hold.reason) {
    case 'PolicyNotFound':
      return `Update policy ${hold.policy} not found`;
    case 'IgnorePolicy':
      return IGNORE_POLICY_MESSAGE;
    case 'AwaitingRelease':
      return `awaiting for ${hold.version} release to be deployed`;
    case 'MinorVersionStep':
      return `minor version is greater than deployed ${hold.previous} by one`;
    case 'MajorVersionStep':
      return `major version is greater than deployed ${hold.previous}`;
    case 'ModuleNotReady':
      return hold.deployed === undefined
        ? 'awaiting for module to be ready'
        : `awaiting for module ${hold.deployed} to be ready`;
    case 'RequirementsNotMet':
      return requirementsMessage(hold.failures);
    case 'AwaitingApproval':
      return APPROVAL_MESSAGE;
    case 'Postponed':
      return `Release is postponed until ${formatMessageTime(hold.until)}`;
    case 'OutsideUpdateWindow': {
      const head = hold.postponed
        ? 'Release is postponed, waiting for the update window'
        : 'Release is waiting for the update window';
      return hold.until === undefined ? head : `${head} until ${formatMessageTime(hold.until)}`;
    }
  }
}

/** When a hold may lift by the clock alone (canary time, window opening); `undefined` for holds that need an event. */
export function holdRecheckAt(hold: HoldReason): Date | undefined {
  switch (hold.reason) {
    case 'Postponed':
      return hold.until;
    case 'OutsideUpdateWindow':
      return hold.until;
    default:
      return undefined;
  }
}
