import { RELEASE_ANNOTATIONS } from '../names.ts';

type Annotations = Readonly<Record<string, string>> | undefined;

/**
 * Go's `strconv.ParseBool`: `1 t T TRUE true True` → true, `0 f F FALSE false False` → false, anything else →
 * `undefined` (a parse error, which DKP reads as "not approved").
 */
export function parseGoBool(value: string | undefined): boolean | undefined {
  switch (value) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

/**
 * Manual approval (§10.5): `modules.deckhouse.io/approved` or the legacy `release.deckhouse.io/approved`, read with
 * Go ParseBool. Either one true approves.
 */
export function isApproved(annotations: Annotations): boolean {
  return (
    parseGoBool(annotations?.[RELEASE_ANNOTATIONS.approved]) === true ||
    parseGoBool(annotations?.[RELEASE_ANNOTATIONS.legacyApproved]) === true
  );
}

/** `apply-now: "true"` (either prefix): skips windows, approval and canary delay (§5). Exactly `"true"`, as DKP. */
export function isApplyNow(annotations: Annotations): boolean {
  return (
    annotations?.[RELEASE_ANNOTATIONS.applyNow] === 'true' ||
    annotations?.[RELEASE_ANNOTATIONS.legacyApplyNow] === 'true'
  );
}

/** `force: "true"` (either prefix): deploy with no order, readiness, requirement or time checks (§5, §11.6). */
export function isForced(annotations: Annotations): boolean {
  return (
    annotations?.[RELEASE_ANNOTATIONS.force] === 'true' || annotations?.[RELEASE_ANNOTATIONS.legacyForce] === 'true'
  );
}
