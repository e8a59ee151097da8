import { SemVer } from 'semver';

import { type Constraint, parseConstraint, termHolds } from '../constraint.ts';
import { parseVersion } from '../version.ts';
import type { PlatformState, ReleaseRequirements } from './types.ts';

/** One unmet requirement of a release. Closed set; {@link requirementMessage} renders each in DKP's words. */
export type RequirementFailure =
  | { kind: 'DeckhouseVersion'; constraint: string; current: string; detail: string }
  | { kind: 'KubernetesVersion'; constraint: string; current: string; detail: string }
  | { kind: 'InvalidConstraint'; field: 'deckhouse' | 'kubernetes'; constraint: string }
  | { kind: 'ModuleNotDeployed'; module: string; dependency: string }
  | { kind: 'ModuleVersion'; module: string; dependency: string; constraint: string; current: string; detail: string }
  | { kind: 'ModuleUnparsableVersion'; module: string; dependency: string }
  | { kind: 'ModuleInvalidConstraint'; module: string; dependency: string; constraint: string };

/** DKP's message for one unmet requirement (extenders `deckhouseversion`, `kubernetesversion`, `moduledependency`). */
function requirementMessage(failure: RequirementFailure): string {
  switch (failure.kind) {
    case 'DeckhouseVersion':
      return `requirements are not satisfied: current deckhouse version is not suitable: ${failure.detail}`;
    case 'KubernetesVersion':
      return `requirements are not satisfied: current kubernetes version is not suitable: ${failure.detail}`;
    case 'InvalidConstraint':
      return `requirements are not satisfied: improper ${failure.field} constraint: ${failure.constraint}`;
    case 'ModuleNotDeployed':
      return `the "${failure.module}" module dependency "${failure.dependency}" is not deployed`;
    case 'ModuleVersion':
      return `the "${failure.module}" module dependency "${failure.dependency}" does not meet the version constraint: ${failure.detail}`;
    case 'ModuleUnparsableVersion':
      return `the "${failure.module}" module dependency "${failure.dependency}" has unparsable version`;
    case 'ModuleInvalidConstraint':
      return `could not validate the "${failure.module}" module dependencies: improper constraint: ${failure.constraint}`;
  }
}

/** All unmet requirements in one message, joined with `; ` (§11.10 allows reporting them all). */
export function requirementsMessage(failures: readonly RequirementFailure[]): string {
  return failures.map(requirementMessage).join('; ');
}

type ConstraintCheck = { ok: true } | { ok: false; detail: string } | { ok: false; invalid: true };

/** Masterminds' wording for a failed comparator: `1.0.0 is less than or equal to v1.64.0`. */
function failureDetail(operator: string, current: string, bound: string): string {
  switch (operator) {
    case '>':
      return `${current} is less than or equal to ${bound}`;
    case '<':
      return `${current} is greater than or equal to ${bound}`;
    case '>=':
    case '=>':
      return `${current} is less than ${bound}`;
    case '<=':
    case '=<':
      return `${current} is greater than ${bound}`;
    case '!=':
      return `${current} is equal to ${bound}`;
    case '~':
    case '~>':
      return `${current} does not have same major and minor version as ${bound}`;
    case '^':
      return `${current} does not have same major version as ${bound}`;
    default:
      return `${current} is not equal to ${bound}`;
  }
}

/**
 * Checks `current` against a constraint ({@link parseConstraint}: Masterminds syntax). On failure the detail names the
 * first failing term of the first alternative, in Masterminds' words.
 */
export function checkConstraint(current: SemVer, currentText: string, constraint: string): ConstraintCheck {
  let parsed: Constraint;
  try {
    parsed = parseConstraint(constraint);
  } catch {
    return { ok: false, invalid: true };
  }
  let firstDetail: string | undefined;
  for (const terms of parsed.groups) {
    let failed: string | undefined;
    for (const term of terms) {
      const holds = termHolds(current.version, term);
      if (holds === undefined) return { ok: false, invalid: true };
      if (!holds && failed === undefined) failed = failureDetail(term.op, currentText, term.version);
    }
    if (failed === undefined) return { ok: true };
    firstDetail ??= failed;
  }
  return { ok: false, detail: firstDetail ?? `${currentText} does not satisfy ${constraint}` };
}

/** A running version without prerelease/build parts (`v1.30.2-eks-1` → 1.30.2), so constraints compare cleanly. */
function releaseVersion(text: string): SemVer | undefined {
  const parsed = parseVersion(text);
  return parsed === undefined ? undefined : new SemVer(`${parsed.major}.${parsed.minor}.${parsed.patch}`);
}

/**
 * Every unmet requirement of a release of `module` (§8 Requirements, §11.10), in DKP's order: deckhouse, kubernetes,
 * then module dependencies by name. A platform version that is not given skips its check.
 */
export function checkRequirements(
  module: string,
  requirements: ReleaseRequirements | undefined,
  platform: PlatformState,
): RequirementFailure[] {
  const failures: RequirementFailure[] = [];
  const platformChecks = [
    ['deckhouse', requirements?.deckhouse, platform.deckhouseVersion, 'DeckhouseVersion'],
    ['kubernetes', requirements?.kubernetes, platform.kubernetesVersion, 'KubernetesVersion'],
  ] as const;
  for (const [field, constraint, currentText, kind] of platformChecks) {
    if (constraint === undefined || constraint.trim() === '' || currentText === undefined) continue;
    const current = releaseVersion(currentText);
    if (current === undefined) continue;
    const result = checkConstraint(current, currentText, constraint);
    if (result.ok) continue;
    if ('invalid' in result) failures.push({ kind: 'InvalidConstraint', field, constraint });
    else failures.push({ kind, constraint, current: currentText, detail: result.detail });
  }
  const dependencies = Object.entries(requirements?.modules ?? {})
    .filter(([dependency]) => dependency !== module)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const enabled = platform.modules ?? {};
  for (const [dependency, constraint] of dependencies) {
    if (validRangeLoose(constraint) === false) {
      failures.push({ kind: 'ModuleInvalidConstraint', module, dependency, constraint });
      continue;
    }
    const deployedText = Object.hasOwn(enabled, dependency) ? enabled[dependency] : undefined;
    if (deployedText === undefined || deployedText === '') {
      failures.push({ kind: 'ModuleNotDeployed', module, dependency });
      continue;
    }
    const deployed = releaseVersion(deployedText);
    if (deployed === undefined) {
      failures.push({ kind: 'ModuleUnparsableVersion', module, dependency });
      continue;
    }
    const result = checkConstraint(deployed, deployedText, constraint);
    if (result.ok) continue;
    if ('invalid' in result) failures.push({ kind: 'ModuleInvalidConstraint', module, dependency, constraint });
    else
      failures.push({
        kind: 'ModuleVersion',
        module,
        dependency,
        constraint,
        current: deployedText,
        detail: result.detail,
      });
  }
  return failures;
}

function validRangeLoose(constraint: string): boolean {
  if (constraint.trim() === '') return false;
  return !('invalid' in checkConstraint(new SemVer('0.0.0'), '0.0.0', constraint));
}
