/**
 * Go's path.Match (`*`, `?`, `[...]`, `\` escapes; `*` does not cross `/`) and Helm's .helmignore rules built
 * on it, written from their documented semantics.
 */

class GlobSyntaxError extends Error {
  constructor(pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
    this.name = 'GlobSyntaxError';
  }
}

const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new GlobSyntaxError(pattern);
      re += escapeRe(pattern[i]!);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new GlobSyntaxError(pattern);
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      if (body === '') throw new GlobSyntaxError(pattern);
      re += `[${neg ? '^/' : ''}${body.replace(/\\(.)/g, '\\$1').replace(/[\]]/g, '\\]')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  const out = new RegExp(`${re}$`);
  cache.set(pattern, out);
  return out;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Go's path.Match; throws GlobSyntaxError on a malformed pattern. */
export function globMatch(pattern: string, name: string): boolean {
  return toRegExp(pattern).test(name);
}

interface IgnorePattern {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

/** A parsed .helmignore. */
export class HelmIgnore {
  readonly patterns: IgnorePattern[] = [];

  /** Parses rules; throws on `**` (unsupported by Helm) and on malformed globs. */
  static parse(text: string): HelmIgnore {
    const rules = new HelmIgnore();
    for (const line of text.split(/\r?\n/)) rules.add(line);
    return rules;
  }

  add(line: string): void {
    let rule = line.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**')) throw new Error('double-star (**) syntax is not supported');
    globMatch(rule, 'abc');
    const p: IgnorePattern = { raw: rule, negate: false, mustDir: false, match: () => false };
    if (rule.startsWith('!')) {
      p.negate = true;
      rule = rule.slice(1);
    }
    if (rule.endsWith('/')) {
      p.mustDir = true;
      rule = rule.slice(0, -1);
    }
    if (rule.startsWith('/')) {
      const rooted = rule.slice(1);
      p.match = (n) => globMatch(rooted, n);
    } else if (rule.includes('/')) {
      p.match = (n) => globMatch(rule, n);
    } else {
      p.match = (n) => globMatch(rule, n.slice(n.lastIndexOf('/') + 1));
    }
    this.patterns.push(p);
  }

  /** Helm's defaults: hidden files under templates/. */
  addDefaults(): this {
    this.add('templates/.?*');
    return this;
  }

  /** Helm's Rules.Ignore, including its treatment of negated patterns. */
  ignores(path: string, isDirectory: boolean): boolean {
    if (path === '' || path === '.' || path === './') return false;
    for (const p of this.patterns) {
      if (p.negate) {
        if (p.mustDir && !isDirectory) return true;
        if (!p.match(path)) return true;
        continue;
      }
      if (p.mustDir && !isDirectory) continue;
      if (p.match(path)) return true;
    }
    return false;
  }
}
