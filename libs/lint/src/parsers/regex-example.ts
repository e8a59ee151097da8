/**
 * Produces one deterministic string matching a regular expression (as used in OpenAPI `pattern`s), for
 * synthesizing render values. Handles literals, escapes, classes, groups with alternation and quantifiers;
 * anything it cannot follow yields the fallback.
 */
export function exampleFromPattern(pattern: string, fallback: string, maxRepeat = 8): string {
  try {
    const gen = new Gen(pattern, maxRepeat);
    const out = gen.alternation();
    if (gen.pos < pattern.length) return fallback;
    const re = new RegExp(pattern, 'u');
    return re.test(out) ? out : fallback;
  } catch {
    return fallback;
  }
}

class Gen {
  pos = 0;
  readonly src: string;
  readonly maxRepeat: number;
  constructor(src: string, maxRepeat: number) {
    this.src = src;
    this.maxRepeat = maxRepeat;
  }

  alternation(): string {
    const first = this.sequence();
    while (this.src[this.pos] === '|') {
      this.pos++;
      this.sequence();
    }
    return first;
  }

  sequence(): string {
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '|' || c === ')') break;
      const atom = this.atom();
      const [min] = this.quantifier();
      out += atom.text.repeat(Math.min(min, this.maxRepeat * 4));
    }
    return out;
  }

  quantifier(): [number, number] {
    const c = this.src[this.pos];
    let q: [number, number] = [1, 1];
    if (c === '*') {
      this.pos++;
      q = [0, Infinity];
    } else if (c === '+') {
      this.pos++;
      q = [1, Infinity];
    } else if (c === '?') {
      this.pos++;
      q = [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m) {
        this.pos += m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        q = [min, max];
      }
    }
    if (this.src[this.pos] === '?' && c !== '?') this.pos++;
    return q;
  }

  atom(): { text: string } {
    const c = this.src[this.pos]!;
    if (c === '^' || c === '$') {
      this.pos++;
      return { text: '' };
    }
    if (c === '(') {
      this.pos++;
      if (this.src.startsWith('?:', this.pos)) this.pos += 2;
      else if (/^\?<[a-zA-Z]/.test(this.src.slice(this.pos))) this.pos = this.src.indexOf('>', this.pos) + 1;
      const text = this.alternation();
      if (this.src[this.pos] !== ')') throw new Error('unbalanced group');
      this.pos++;
      return { text };
    }
    if (c === '[') return { text: this.charClass() };
    if (c === '.') {
      this.pos++;
      return { text: 'a' };
    }
    if (c === '\\') {
      this.pos++;
      const e = this.src[this.pos++] ?? '';
      const map: Record<string, string> = {
        d: '1',
        w: 'a',
        s: ' ',
        D: 'a',
        W: '-',
        S: 'a',
        n: '\n',
        t: '\t',
        '.': '.',
      };
      return { text: map[e] ?? e };
    }
    this.pos++;
    return { text: c };
  }

  charClass(): string {
    this.pos++;
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos++;
    let first: string | undefined;
    let firstChar = true;
    while (this.pos < this.src.length && (this.src[this.pos] !== ']' || firstChar)) {
      firstChar = false;
      let ch = this.src[this.pos++]!;
      if (ch === '\\') {
        const e = this.src[this.pos++] ?? '';
        ch = ({ d: '1', w: 'a', s: ' ' } as Record<string, string>)[e] ?? e;
      }
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
        this.pos += 2;
      }
      first ??= ch;
    }
    if (this.src[this.pos] !== ']') throw new Error('unbalanced class');
    this.pos++;
    if (negated) return 'a' === first ? 'b' : 'a';
    return first ?? 'a';
  }
}
