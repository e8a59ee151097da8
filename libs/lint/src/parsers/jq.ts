/**
 * A jq subset, written from the jq manual, for module config conversions (`openapi/conversions/vN.yaml`):
 * paths, pipes, `,`, comparison and arithmetic, `and`/`or`/`not`, `//`, if/elif/else/end, object and array
 * construction, assignment (`=`, `|=`, `+=`, `-=`), and the builtins conversions use (del, has, select, map,
 * keys, length, to_entries, from_entries, with_entries, empty, add, type, tostring, tonumber, error).
 */

export class JqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JqError';
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

type Ast =
  | { k: 'identity' }
  | { k: 'recurse' }
  | { k: 'lit'; v: Json }
  | { k: 'field'; target: Ast; name: Ast; opt: boolean }
  | { k: 'iter'; target: Ast; opt: boolean }
  | { k: 'slice'; target: Ast; from: Ast | undefined; to: Ast | undefined }
  | { k: 'pipe'; a: Ast; b: Ast }
  | { k: 'comma'; a: Ast; b: Ast }
  | { k: 'bin'; op: string; a: Ast; b: Ast }
  | { k: 'neg'; a: Ast }
  | { k: 'if'; cond: Ast; then: Ast; else: Ast | undefined }
  | { k: 'obj'; entries: Array<[Ast, Ast | undefined]> }
  | { k: 'arr'; body: Ast | undefined }
  | { k: 'call'; name: string; args: Ast[] }
  | { k: 'var'; name: string }
  | { k: 'as'; src: Ast; name: string; body: Ast }
  | { k: 'try'; body: Ast; catch: Ast | undefined };

function lex(src: string): string[] {
  const toks: string[] = [];
  const re = /\s+|#[^\n]*|("(?:[^"\\]|\\.)*")|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(\$?[A-Za-z_][A-Za-z0-9_]*)|(\.\.|\|=|\+=|-=|\*=|\/=|\/\/=|\/\/|==|!=|<=|>=|\?\/\/|[.|,()[\]{}:;<>=+\-*/%?])/y;
  let i = 0;
  while (i < src.length) {
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new JqError(`syntax error at ${i}: ${src.slice(i, i + 10)}`);
    i = re.lastIndex;
    if (m[1] || m[2] || m[3] || m[4]) toks.push(m[0]);
  }
  return toks;
}

const PREC: Record<string, number> = { '|': 1, ',': 2, '//': 3, '=': 4, '|=': 4, '+=': 4, '-=': 4, '*=': 4, '/=': 4, '//=': 4, or: 5, and: 6, '==': 7, '!=': 7, '<': 7, '<=': 7, '>': 7, '>=': 7, '+': 8, '-': 8, '*': 9, '/': 9, '%': 9 };
const RIGHT = new Set(['|', '//', '=', '|=', '+=', '-=', '*=', '/=', '//=']);

class Parser {
  readonly t: string[];
  i = 0;
  constructor(t: string[]) {
    this.t = t;
  }
  peek(): string | undefined {
    return this.t[this.i];
  }
  eat(v: string): boolean {
    if (this.t[this.i] === v) {
      this.i++;
      return true;
    }
    return false;
  }
  need(v: string): void {
    if (!this.eat(v)) throw new JqError(`syntax error: expected ${v}, got ${this.peek() ?? 'end'}`);
  }

  pipe(minPrec = 1): Ast {
    let left = this.postfix();
    for (;;) {
      const op = this.peek();
      if (op === 'as' && minPrec <= 1) {
        this.i++;
        const name = this.t[this.i++]!;
        this.need('|');
        const body = this.pipe(1);
        return { k: 'as', src: left, name, body };
      }
      if (op === undefined || !(op in PREC) || PREC[op]! < minPrec) return left;
      this.i++;
      const right = this.pipe(RIGHT.has(op) ? PREC[op]! : PREC[op]! + 1);
      if (op === '|') left = { k: 'pipe', a: left, b: right };
      else if (op === ',') left = { k: 'comma', a: left, b: right };
      else left = { k: 'bin', op, a: left, b: right };
    }
  }

  postfix(): Ast {
    let n = this.term();
    for (;;) {
      const p = this.peek();
      if (p === '.' && /^[A-Za-z_"]/.test(this.t[this.i + 1] ?? '')) {
        this.i++;
        const name = this.t[this.i++]!;
        n = { k: 'field', target: n, name: { k: 'lit', v: name.startsWith('"') ? JSON.parse(name) : name }, opt: this.eat('?') };
      } else if (p === '[' || (p === '.' && this.t[this.i + 1] === '[')) {
        if (p === '.') this.i++;
        this.i++;
        if (this.eat(']')) {
          n = { k: 'iter', target: n, opt: this.eat('?') };
          continue;
        }
        if (this.eat(':')) {
          const to = this.pipe(1);
          this.need(']');
          n = { k: 'slice', target: n, from: undefined, to };
          continue;
        }
        const idx = this.pipe(1);
        if (this.eat(':')) {
          const to = this.peek() === ']' ? undefined : this.pipe(1);
          this.need(']');
          n = { k: 'slice', target: n, from: idx, to };
          continue;
        }
        this.need(']');
        n = { k: 'field', target: n, name: idx, opt: this.eat('?') };
      } else if (p === '?') {
        this.i++;
        n = { k: 'try', body: n, catch: undefined };
      } else return n;
    }
  }

  term(): Ast {
    const tok = this.t[this.i++];
    if (tok === undefined) throw new JqError('syntax error: unexpected end of input');
    if (tok === '.') {
      const next = this.peek();
      if (next !== undefined && /^[A-Za-z_"]/.test(next) && !['and', 'or', 'then', 'else', 'elif', 'end', 'as'].includes(next)) {
        this.i++;
        return { k: 'field', target: { k: 'identity' }, name: { k: 'lit', v: next.startsWith('"') ? JSON.parse(next) : next }, opt: this.eat('?') };
      }
      return { k: 'identity' };
    }
    if (tok === '..') return { k: 'recurse' };
    if (/^\d/.test(tok)) return { k: 'lit', v: Number(tok) };
    if (tok.startsWith('"')) return { k: 'lit', v: JSON.parse(tok) };
    if (tok === '(') {
      const e = this.pipe(1);
      this.need(')');
      return e;
    }
    if (tok === '-') return { k: 'neg', a: this.postfix() };
    if (tok === '[') {
      if (this.eat(']')) return { k: 'arr', body: undefined };
      const body = this.pipe(1);
      this.need(']');
      return { k: 'arr', body };
    }
    if (tok === '{') {
      const entries: Array<[Ast, Ast | undefined]> = [];
      while (!this.eat('}')) {
        const key = this.t[this.i++]!;
        let keyAst: Ast;
        if (key === '(') {
          keyAst = this.pipe(1);
          this.need(')');
        } else if (key.startsWith('$')) {
          entries.push([{ k: 'lit', v: key.slice(1) }, { k: 'var', name: key }]);
          if (!this.eat(',')) {
            this.need('}');
            break;
          }
          continue;
        } else keyAst = { k: 'lit', v: key.startsWith('"') ? JSON.parse(key) : key };
        let val: Ast | undefined;
        if (this.eat(':')) val = this.pipe(3);
        entries.push([keyAst, val]);
        if (!this.eat(',')) {
          this.need('}');
          break;
        }
      }
      return { k: 'obj', entries };
    }
    if (tok === 'if') {
      const cond = this.pipe(1);
      this.need('then');
      const then = this.pipe(1);
      let els: Ast | undefined;
      if (this.peek() === 'elif') {
        this.t[this.i] = 'if';
        els = this.term();
        return { k: 'if', cond, then, else: els };
      }
      if (this.eat('else')) els = this.pipe(1);
      this.need('end');
      return { k: 'if', cond, then, else: els };
    }
    if (tok === 'try') {
      const body = this.postfix();
      const c = this.eat('catch') ? this.postfix() : undefined;
      return { k: 'try', body, catch: c };
    }
    if (tok === 'true' || tok === 'false') return { k: 'lit', v: tok === 'true' };
    if (tok === 'null') return { k: 'lit', v: null };
    if (tok.startsWith('$')) return { k: 'var', name: tok };
    if (/^[A-Za-z_]/.test(tok)) {
      const args: Ast[] = [];
      if (this.eat('(')) {
        args.push(this.pipe(1));
        while (this.eat(';')) args.push(this.pipe(1));
        this.need(')');
      }
      return { k: 'call', name: tok, args };
    }
    throw new JqError(`syntax error: unexpected ${tok}`);
  }
}

type Path = Array<string | number>;

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function truthy(v: Json): boolean {
  return v !== null && v !== false;
}

function deepEqual(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k]!)]));
  return v;
}

function getPath(v: Json, path: Path): Json {
  let cur: Json = v;
  for (const p of path) {
    if (cur === null) return null;
    cur = (cur as Record<string, Json>)[p as string] ?? null;
  }
  return cur;
}

function setPath(v: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(v) ? [...v] : [];
    arr[head] = setPath(arr[head] ?? null, rest, value);
    return arr.map((x) => (x === undefined ? null : x));
  }
  const obj = v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : {};
  obj[head!] = setPath(obj[head!] ?? null, rest, value);
  return obj;
}

function delPaths(v: Json, paths: Path[]): Json {
  const sorted = [...paths].sort((a, b) => b.length - a.length || String(b[b.length - 1]).localeCompare(String(a[a.length - 1]), undefined, { numeric: true }));
  let out = v;
  for (const p of sorted) out = delPath(out, p);
  return out;
}

function delPath(v: Json, path: Path): Json {
  if (path.length === 0) return null;
  const [head, ...rest] = path;
  if (v === null) return null;
  if (Array.isArray(v)) {
    const i = head as number;
    if (rest.length === 0) return v.filter((_x, j) => j !== i);
    return v.map((x, j) => (j === i ? delPath(x, rest) : x));
  }
  if (typeof v === 'object') {
    const obj = { ...v };
    if (!(String(head) in obj)) return obj;
    if (rest.length === 0) delete obj[String(head)];
    else obj[String(head)] = delPath(obj[String(head)]!, rest);
    return obj;
  }
  throw new JqError(`cannot delete field of ${typeOf(v)}`);
}

type Env = Map<string, Json>;

class Interp {
  steps = 0;

  eval(n: Ast, input: Json, env: Env): Json[] {
    if (++this.steps > 1_000_000) throw new JqError('program too expensive');
    switch (n.k) {
      case 'identity':
        return [input];
      case 'recurse': {
        const out: Json[] = [];
        const walk = (v: Json): void => {
          out.push(v);
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v === 'object') Object.values(v).forEach(walk);
        };
        walk(input);
        return out;
      }
      case 'lit':
        return [n.v];
      case 'var': {
        if (!env.has(n.name)) throw new JqError(`${n.name} is not defined`);
        return [env.get(n.name)!];
      }
      case 'field':
        return this.eval(n.target, input, env).flatMap((t) =>
          this.eval(n.name, input, env).map((key) => {
            if (t === null) return null;
            if (typeof key === 'number' && Array.isArray(t)) return t[key < 0 ? t.length + key : key] ?? null;
            if (typeof key === 'string' && typeof t === 'object' && !Array.isArray(t)) return t[key] ?? null;
            if (n.opt) return undefined as unknown as Json;
            throw new JqError(`Cannot index ${typeOf(t)} with ${typeOf(key)}`);
          }).filter((x) => x !== undefined),
        );
      case 'iter':
        return this.eval(n.target, input, env).flatMap((t) => {
          if (Array.isArray(t)) return t;
          if (t && typeof t === 'object') return Object.values(t);
          if (n.opt) return [];
          throw new JqError(`Cannot iterate over ${typeOf(t)}`);
        });
      case 'slice':
        return this.eval(n.target, input, env).map((t) => {
          const from = n.from ? (this.eval(n.from, input, env)[0] as number) : undefined;
          const to = n.to ? (this.eval(n.to, input, env)[0] as number) : undefined;
          if (typeof t === 'string' || Array.isArray(t)) return t.slice(from, to) as Json;
          return null;
        });
      case 'pipe':
        return this.eval(n.a, input, env).flatMap((v) => this.eval(n.b, v, env));
      case 'comma':
        return [...this.eval(n.a, input, env), ...this.eval(n.b, input, env)];
      case 'neg':
        return this.eval(n.a, input, env).map((v) => -(v as number));
      case 'if':
        return this.eval(n.cond, input, env).flatMap((c) => (truthy(c) ? this.eval(n.then, input, env) : n.else ? this.eval(n.else, input, env) : [input]));
      case 'arr':
        return [n.body ? this.eval(n.body, input, env) : []];
      case 'obj': {
        let results: Array<Record<string, Json>> = [{}];
        for (const [kAst, vAst] of n.entries) {
          const keys = this.eval(kAst, input, env);
          const next: Array<Record<string, Json>> = [];
          for (const r of results) {
            for (const key of keys) {
              const vals = vAst ? this.eval(vAst, input, env) : this.eval({ k: 'field', target: { k: 'identity' }, name: { k: 'lit', v: key }, opt: false }, input, env);
              for (const val of vals) next.push({ ...r, [String(key)]: val });
            }
          }
          results = next;
        }
        return results;
      }
      case 'as':
        return this.eval(n.src, input, env).flatMap((v) => this.eval(n.body, input, new Map(env).set(n.name, v)));
      case 'try':
        try {
          return this.eval(n.body, input, env);
        } catch (err) {
          if (!(err instanceof JqError)) throw err;
          return n.catch ? this.eval(n.catch, err.message, env) : [];
        }
      case 'bin':
        return this.bin(n, input, env);
      case 'call':
        return this.call(n, input, env);
    }
  }

  paths(n: Ast, input: Json, env: Env): Path[] {
    switch (n.k) {
      case 'identity':
        return [[]];
      case 'field':
        return this.paths(n.target, input, env).flatMap((p) => this.eval(n.name, input, env).map((key) => [...p, key as string | number]));
      case 'iter':
        return this.paths(n.target, input, env).flatMap((p) => {
          const v = getPath(input, p);
          if (Array.isArray(v)) return v.map((_x, i) => [...p, i]);
          if (v && typeof v === 'object') return Object.keys(v).map((k) => [...p, k]);
          return [];
        });
      case 'pipe':
        return this.paths(n.a, input, env).flatMap((p) => this.paths(n.b, getPath(input, p), env).map((q) => [...p, ...q]));
      case 'comma':
        return [...this.paths(n.a, input, env), ...this.paths(n.b, input, env)];
      case 'if':
        return this.eval(n.cond, input, env).flatMap((c) => (truthy(c) ? this.paths(n.then, input, env) : n.else ? this.paths(n.else, input, env) : [[]]));
      case 'call':
        if (n.name === 'select') return this.eval(n.args[0]!, input, env).some(truthy) ? [[]] : [];
        if (n.name === 'empty') return [];
        if (n.name === 'recurse' || n.name === '..') break;
        break;
      case 'try':
        try {
          return this.paths(n.body, input, env);
        } catch {
          return [];
        }
      default:
        break;
    }
    throw new JqError('Invalid path expression');
  }

  bin(n: Extract<Ast, { k: 'bin' }>, input: Json, env: Env): Json[] {
    const { op } = n;
    if (op === 'and' || op === 'or') {
      return this.eval(n.a, input, env).flatMap((a) => {
        if (op === 'and' && !truthy(a)) return [false];
        if (op === 'or' && truthy(a)) return [true];
        return this.eval(n.b, input, env).map(truthy);
      });
    }
    if (op === '//') {
      const left = (() => {
        try {
          return this.eval(n.a, input, env).filter(truthy);
        } catch {
          return [];
        }
      })();
      return left.length ? left : this.eval(n.b, input, env);
    }
    if (op === '=' || op === '|=' || op.endsWith('=') && op.length === 2 && op !== '==' && op !== '!=' && op !== '<=' && op !== '>=') {
      const paths = this.paths(n.a, input, env);
      if (op === '=') {
        return this.eval(n.b, input, env).map((val) => paths.reduce((acc, p) => setPath(acc, p, val), input));
      }
      if (op === '|=') {
        let out = input;
        for (const p of paths) {
          const r = this.eval(n.b, getPath(out, p), env);
          out = r.length ? setPath(out, p, r[0]!) : delPaths(out, [p]);
        }
        return [out];
      }
      const arith = op.slice(0, -1);
      return this.eval(n.b, input, env).map((val) =>
        paths.reduce((acc, p) => setPath(acc, p, arithmetic(arith, getPath(acc, p), val)), input),
      );
    }
    const out: Json[] = [];
    for (const b of this.eval(n.b, input, env)) {
      for (const a of this.eval(n.a, input, env)) {
        switch (op) {
          case '==':
            out.push(deepEqual(a, b));
            break;
          case '!=':
            out.push(!deepEqual(a, b));
            break;
          case '<':
          case '<=':
          case '>':
          case '>=': {
            const c = compare(a, b);
            out.push(op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0);
            break;
          }
          default:
            out.push(arithmetic(op, a, b));
        }
      }
    }
    return out;
  }

  call(n: Extract<Ast, { k: 'call' }>, input: Json, env: Env): Json[] {
    const arg = (i: number, v: Json = input): Json[] => this.eval(n.args[i]!, v, env);
    switch (`${n.name}/${n.args.length}`) {
      case 'empty/0':
        return [];
      case 'not/0':
        return [!truthy(input)];
      case 'length/0':
        if (input === null) return [0];
        if (typeof input === 'string' || Array.isArray(input)) return [input.length];
        if (typeof input === 'object') return [Object.keys(input).length];
        return [Math.abs(input as number)];
      case 'keys/0':
        if (Array.isArray(input)) return [input.map((_x, i) => i)];
        if (input && typeof input === 'object') return [Object.keys(input).sort()];
        throw new JqError(`${typeOf(input)} has no keys`);
      case 'has/1':
        return arg(0).map((k) => (Array.isArray(input) ? (k as number) < input.length : input !== null && typeof input === 'object' && String(k) in input));
      case 'select/1':
        return arg(0).some(truthy) ? [input] : [];
      case 'map/1':
        if (!Array.isArray(input)) throw new JqError(`Cannot iterate over ${typeOf(input)}`);
        return [input.flatMap((x) => arg(0, x))];
      case 'del/1':
        return [delPaths(input, this.paths(n.args[0]!, input, env))];
      case 'to_entries/0':
        return [Object.entries((input ?? {}) as Record<string, Json>).map(([key, value]) => ({ key, value }))];
      case 'from_entries/0':
        return [Object.fromEntries((input as Json[]).map((e) => {
          const o = e as Record<string, Json>;
          return [String(o['key'] ?? o['k'] ?? o['name'] ?? ''), o['value'] ?? o['v'] ?? null];
        }))];
      case 'with_entries/1': {
        const entries = Object.entries((input ?? {}) as Record<string, Json>).map(([key, value]) => ({ key, value }));
        const mapped = entries.flatMap((e) => arg(0, e));
        return [Object.fromEntries(mapped.map((e) => [String((e as Record<string, Json>)['key']), (e as Record<string, Json>)['value'] ?? null]))];
      }
      case 'add/0':
        return [(input as Json[]).reduce((acc: Json, x) => (acc === null ? x : arithmetic('+', acc, x)), null)];
      case 'type/0':
        return [typeOf(input)];
      case 'tostring/0':
        return [typeof input === 'string' ? input : JSON.stringify(input)];
      case 'tonumber/0':
        return [Number(input)];
      case 'ascii_downcase/0':
        return [String(input).toLowerCase()];
      case 'ascii_upcase/0':
        return [String(input).toUpperCase()];
      case 'error/1':
        throw new JqError(String(arg(0)[0]));
      case 'error/0':
        throw new JqError(String(input));
      case 'any/0':
        return [(input as Json[]).some(truthy)];
      case 'all/0':
        return [(input as Json[]).every(truthy)];
      case 'range/1':
        return Array.from({ length: Number(arg(0)[0]) }, (_x, i) => i);
      case 'tojson/0':
        return [JSON.stringify(input)];
      case 'fromjson/0':
        return [JSON.parse(String(input))];
      case 'startswith/1':
        return arg(0).map((p) => String(input).startsWith(String(p)));
      case 'endswith/1':
        return arg(0).map((p) => String(input).endsWith(String(p)));
      case 'split/1':
        return arg(0).map((p) => String(input).split(String(p)));
      case 'join/1':
        return arg(0).map((p) => (input as Json[]).map((x) => (x === null ? '' : String(x))).join(String(p)));
      case 'contains/1':
        return arg(0).map((b) => contains(input, b));
      case 'getpath/1':
        return arg(0).map((p) => getPath(input, p as Path));
      case 'setpath/2':
        return arg(0).flatMap((p) => arg(1).map((v) => setPath(input, p as Path, v)));
      case 'delpaths/1':
        return arg(0).map((ps) => delPaths(input, ps as Path[]));
      case 'to_number/0':
        return [Number(input)];
      case 'unique/0':
        return [[...new Map((input as Json[]).map((x) => [JSON.stringify(sortKeys(x)), x])).values()]];
      case 'sort/0':
        return [[...(input as Json[])].sort(compare)];
      case 'reverse/0':
        return [[...(input as Json[])].reverse()];
      case 'objects/0':
        return input && typeof input === 'object' && !Array.isArray(input) ? [input] : [];
      case 'arrays/0':
        return Array.isArray(input) ? [input] : [];
      case 'strings/0':
        return typeof input === 'string' ? [input] : [];
      default:
        throw new JqError(`${n.name}/${n.args.length} is not defined`);
    }
  }
}

function contains(a: Json, b: Json): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) return b.every((x) => a.some((y) => contains(y, x)));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    return Object.entries(b).every(([k, v]) => k in a && contains(a[k]!, v));
  }
  return deepEqual(a, b);
}

const TYPE_ORDER = ['null', 'boolean', 'number', 'string', 'array', 'object'];

function compare(a: Json, b: Json): number {
  const ta = TYPE_ORDER.indexOf(typeOf(a));
  const tb = TYPE_ORDER.indexOf(typeOf(b));
  if (ta !== tb) return ta - tb;
  if (typeof a === 'number' || typeof a === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  return JSON.stringify(sortKeys(a)).localeCompare(JSON.stringify(sortKeys(b)));
}

function arithmetic(op: string, a: Json, b: Json): Json {
  if (op === '+') {
    if (a === null) return b;
    if (b === null) return a;
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (a && b && typeof a === 'object' && typeof b === 'object') return { ...(a as object), ...(b as object) } as Json;
  }
  if (op === '-') {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (Array.isArray(a) && Array.isArray(b)) return a.filter((x) => !b.some((y) => deepEqual(x, y)));
  }
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '*') return a * b;
    if (op === '/') {
      if (b === 0) throw new JqError('cannot be divided because the divisor is zero');
      return a / b;
    }
    if (op === '%') return Math.trunc(a) % Math.trunc(b);
  }
  throw new JqError(`${typeOf(a)} and ${typeOf(b)} cannot be combined with ${op}`);
}

/** Compiles a jq program; throws JqError on a syntax error. */
export function compileJq(program: string): (input: unknown) => unknown[] {
  const parser = new Parser(lex(program));
  const ast = parser.pipe(1);
  if (parser.i < parser.t.length) throw new JqError(`syntax error: unexpected ${parser.t[parser.i]}`);
  return (input) => new Interp().eval(ast, input as Json, new Map());
}
