import semver from 'semver';

/**
 * Version constraints as DKP (requirements, §8) and DMT read them, in Masterminds semver v3 syntax: `||` between
 * alternatives, `,` or spaces between conjuncts, operators = != > < >= <= => =< ~ ~> ^, x-ranges, hyphen ranges and an
 * optional `v`. One parser for the release requirements and the linter.
 */

const VERSION = String.raw`v?(?:[0-9xX*]+)(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?`;
const OPERATOR = String.raw`!=|>=|=>|<=|=<|~>|>|<|=|~|\^`;
const TERM_RE = new RegExp(String.raw`^(${OPERATOR})?\s*(${VERSION})$`);
const HYPHEN_RE = new RegExp(String.raw`^(${VERSION})\s+-\s+(${VERSION})$`);
const OPERATOR_SPACE_RE = new RegExp(String.raw`(${OPERATOR})\s+`, 'g');
const LOOSE_VERSION_RE =
  /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** One comparison: the operator as written (`''` for none) and the version as written (`v` kept). */
interface Term {
  op: string;
  version: string;
}

export interface Constraint {
  /** Alternatives (OR) of conjunctions (AND) of terms. */
  groups: Term[][];
  /** Masterminds' String(): operator glued to the original version, conjuncts joined by a space. */
  text: string;
}

export class ConstraintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConstraintError';
  }
}

/** Parses a constraint; throws ConstraintError like Masterminds' NewConstraint. */
export function parseConstraint(input: string): Constraint {
  const groups: Term[][] = [];
  const texts: string[] = [];
  for (const alt of input.split('||')) {
    const terms: Term[] = [];
    const trimmed = alt.trim();
    const hy = HYPHEN_RE.exec(trimmed);
    if (hy) {
      terms.push({ op: '>=', version: hy[1]! }, { op: '<=', version: hy[2]! });
    } else {
      // Join an operator separated from its version by spaces, then split conjuncts on commas/spaces.
      const parts = trimmed
        .replace(OPERATOR_SPACE_RE, '$1')
        .split(/[\s,]+/)
        .filter((p) => p !== '');
      if (parts.length === 0) throw new ConstraintError(`improper constraint: ${input}`);
      for (const part of parts) {
        const m = TERM_RE.exec(part);
        if (!m) throw new ConstraintError(`improper constraint: ${input}`);
        terms.push({ op: m[1] ?? '', version: m[2]! });
      }
    }
    groups.push(terms);
    texts.push(terms.map((t) => `${t.op}${t.version}`).join(' '));
  }
  return { groups, text: texts.join(' || ') };
}

export function isValidConstraint(input: string): boolean {
  try {
    parseConstraint(input);
    return true;
  } catch {
    return false;
  }
}

/** Masterminds' NewVersion (lenient: `1`, `1.2`, `v1.2.3-rc.1+meta`) as a node-semver version, or undefined. */
export function coerceVersion(input: string): string | undefined {
  const m = LOOSE_VERSION_RE.exec(input);
  if (!m) return undefined;
  const base = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}`;
  return m[4] ? `${base}-${m[4]}` : base;
}

function termRange(t: Term): string {
  const v = t.version.replace(/^v/, '');
  switch (t.op) {
    case '=>':
      return `>=${v}`;
    case '=<':
      return `<=${v}`;
    case '~>':
      return `~${v}`;
    default:
      return `${t.op}${v}`;
  }
}

/** Whether a node-semver version satisfies one term; undefined when node-semver cannot read the term. */
export function termHolds(version: string, t: Term): boolean | undefined {
  if (t.op === '!=') {
    const exact = coerceVersion(t.version);
    if (exact !== undefined) return !semver.eq(version, exact);
    const range = semver.validRange(t.version.replace(/^v/, ''));
    return range === null ? undefined : !semver.satisfies(version, range);
  }
  const range = semver.validRange(termRange(t));
  return range === null ? undefined : semver.satisfies(version, range);
}

/** Whether a version (read leniently) satisfies the constraint. */
export function satisfiesConstraint(version: string, c: Constraint): boolean {
  const v = coerceVersion(version);
  if (v === undefined) return false;
  return c.groups.some((g) => g.every((t) => termHolds(v, t) === true));
}

/**
 * DMT's findMinimalAllowedVersion: the lowest version named by a `>=`, `>` or `=` term in the constraint
 * text; undefined when there is none.
 */
export function minimalAllowedVersion(c: Constraint): string | undefined {
  let min: string | undefined;
  for (const m of c.text.matchAll(/([><=]=?|!=)\s*v?(\d+(?:\.\d+){0,2})/g)) {
    const op = m[1]!;
    if (op !== '>=' && op !== '>' && op !== '=') continue;
    const v = coerceVersion(m[2]!);
    if (v === undefined) continue;
    if (min === undefined || semver.lt(v, min)) min = v;
  }
  return min;
}

/** Whether the constraint's lowest allowed version is at least `atLeast`. */
export function startsAtLeast(input: string, atLeast: string): boolean {
  try {
    const min = minimalAllowedVersion(parseConstraint(input));
    return min !== undefined && !semver.lt(min, atLeast);
  } catch {
    return false;
  }
}
