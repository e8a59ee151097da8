/**
 * A small evaluator for Go text/template, enough for werf configuration files evaluated offline:
 * fields, variables, pipelines, if/else/range/with, define/template/include, and a handful of sprig
 * functions. Anything outside that throws, and the caller treats the file as not evaluable (as DMT skips
 * werf files it cannot render).
 */

class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Node =
  | { k: 'text'; v: string }
  | { k: 'action'; pipe: Pipe }
  | { k: 'if' | 'with'; pipe: Pipe; body: Node[]; else: Node[] }
  | { k: 'range'; pipe: Pipe; body: Node[]; else: Node[] }
  | { k: 'template'; name: string; pipe: Pipe | undefined };

interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Arg[][];
}

type Arg =
  | { k: 'field'; base: 'dot' | 'root' | 'var'; varName?: string; path: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'fn'; name: string }
  | { k: 'paren'; pipe: Pipe };

const NO_VALUE = Symbol('no value');

function tokenizeAction(src: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' && c === '"' ? 2 : 1;
      toks.push(src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === "'") {
      const j = src.indexOf("'", i + 2);
      toks.push(src.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (src.startsWith(':=', i)) {
      toks.push(':=');
      i += 2;
      continue;
    }
    if ('|()=,'.includes(c)) {
      toks.push(c);
      i++;
      continue;
    }
    const m = /^[^\s|()=,"`]+/.exec(src.slice(i))!;
    toks.push(m[0]);
    i += m[0].length;
  }
  return toks;
}

function parseArg(tok: string, toks: string[], pos: { i: number }): Arg {
  if (tok === '(') {
    const pipe = parsePipe(toks, pos, ')');
    pos.i++;
    return { k: 'paren', pipe };
  }
  if (tok.startsWith('"')) return { k: 'lit', v: JSON.parse(tok) };
  if (tok.startsWith('`')) return { k: 'lit', v: tok.slice(1, -1) };
  if (tok === 'true' || tok === 'false') return { k: 'lit', v: tok === 'true' };
  if (tok === 'nil') return { k: 'lit', v: null };
  if (/^-?\d/.test(tok)) return { k: 'lit', v: Number(tok) };
  if (tok === '.') return { k: 'field', base: 'dot', path: [] };
  if (tok.startsWith('.')) return { k: 'field', base: 'dot', path: tok.slice(1).split('.') };
  if (tok.startsWith('$')) {
    const [name, ...path] = tok.split('.');
    if (name === '$') return { k: 'field', base: 'root', path };
    return { k: 'field', base: 'var', varName: name!, path };
  }
  if (/^[A-Za-z_]\w*$/.test(tok)) return { k: 'fn', name: tok };
  throw new TemplateError(`unexpected ${tok}`);
}

function parsePipe(toks: string[], pos: { i: number }, close?: string): Pipe {
  const pipe: Pipe = { decl: [], assign: false, cmds: [] };
  // declarations: $a := / $a, $b := / $a =
  const save = pos.i;
  const decl: string[] = [];
  while (toks[pos.i]?.startsWith('$') && !toks[pos.i]!.includes('.')) {
    decl.push(toks[pos.i]!);
    pos.i++;
    if (toks[pos.i] === ',') pos.i++;
    else break;
  }
  if (decl.length && (toks[pos.i] === ':=' || toks[pos.i] === '=')) {
    pipe.assign = toks[pos.i] === '=';
    pipe.decl = decl;
    pos.i++;
  } else pos.i = save;
  let cmd: Arg[] = [];
  while (pos.i < toks.length && toks[pos.i] !== close) {
    const t = toks[pos.i++]!;
    if (t === '|') {
      pipe.cmds.push(cmd);
      cmd = [];
      continue;
    }
    cmd.push(parseArg(t, toks, pos));
  }
  pipe.cmds.push(cmd);
  return pipe;
}

interface Parsed {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

function parse(src: string): Parsed {
  const defines = new Map<string, Node[]>();
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  const items: Array<{ text: string } | { action: string }> = [];
  let last = 0;
  let trimNext = false;
  for (const m of src.matchAll(re)) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    items.push({ text });
    items.push({ action: m[2]!.trim() });
    trimNext = Boolean(m[3]);
    last = m.index + m[0].length;
  }
  let tail = src.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  items.push({ text: tail });
  let i = 0;
  const block = (stop: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const it = items[i++]!;
      if ('text' in it) {
        if (it.text) nodes.push({ k: 'text', v: it.text });
        continue;
      }
      const a = it.action;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0]!;
      if (stop.includes(word)) return { nodes, end: a };
      const rest = a.slice(word.length).trim();
      const pipeOf = (s: string): Pipe => parsePipe(tokenizeAction(s), { i: 0 });
      if (word === 'if' || word === 'with' || word === 'range') {
        const body = block(['else', 'end']);
        let elseNodes: Node[] = [];
        if (body.end.startsWith('else')) {
          const elseRest = body.end.slice(4).trim();
          if (elseRest !== '') throw new TemplateError('else-if chains are not supported');
          elseNodes = block(['end']).nodes;
        }
        nodes.push({ k: word, pipe: pipeOf(rest), body: body.nodes, else: elseNodes } as Node);
        continue;
      }
      if (word === 'define') {
        const name = JSON.parse(rest);
        defines.set(name, block(['end']).nodes);
        continue;
      }
      if (word === 'template' || word === 'block') {
        const m = /^("[^"]*")\s*(.*)$/.exec(rest);
        if (!m) throw new TemplateError('bad template call');
        nodes.push({ k: 'template', name: JSON.parse(m[1]!), pipe: m[2] ? pipeOf(m[2]) : undefined });
        if (word === 'block') defines.set(JSON.parse(m[1]!), block(['end']).nodes);
        continue;
      }
      if (word === 'end' || word === 'else') throw new TemplateError(`unexpected {{${word}}}`);
      nodes.push({ k: 'action', pipe: pipeOf(a) });
    }
    if (stop.length) throw new TemplateError('unexpected EOF');
    return { nodes, end: '' };
  };
  return { nodes: block([]).nodes, defines };
}

function truthy(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function str(v: unknown): string {
  if (v === NO_VALUE || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(str).join(' ')}]`;
  return `map[${Object.entries(v as object)
    .map(([k, x]) => `${k}:${str(x)}`)
    .join(' ')}]`;
}

class Scope {
  readonly vars: Map<string, unknown>;
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) {
    this.vars = new Map();
    this.parent = parent;
  }
  get(name: string): unknown {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name);
    throw new TemplateError(`undefined variable: ${name}`);
  }
  set(name: string, v: unknown): void {
    if (this.vars.has(name) || !this.parent) this.vars.set(name, v);
    else this.parent.set(name, v);
  }
}

function field(base: unknown, path: string[]): unknown {
  let cur = base;
  for (const p of path) {
    if (cur === NO_VALUE || cur === null || cur === undefined)
      throw new TemplateError(`nil pointer evaluating interface {}.${p}`);
    if (typeof cur !== 'object' || Array.isArray(cur)) throw new TemplateError(`can't evaluate field ${p}`);
    const obj = cur as Record<string, unknown>;
    cur = p in obj ? obj[p] : NO_VALUE;
  }
  return cur;
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  print: (...a) => a.map(str).join(''),
  printf: (fmt, ...a) => {
    let i = 0;
    return String(fmt).replace(/%[-+# 0]*\d*(?:\.\d+)?([svdqtf%])/g, (_m, verb: string) =>
      verb === '%' ? '%' : verb === 'q' ? JSON.stringify(str(a[i++])) : str(a[i++]),
    );
  },
  list: (...a) => a,
  dict: (...a) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < a.length; i += 2) o[str(a[i])] = a[i + 1];
    return o;
  },
  default: (def, v) => (truthy(v) ? v : def),
  empty: (v) => !truthy(v),
  eq: (a, ...b) => b.some((x) => x === a),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  len: (a) => (Array.isArray(a) ? a.length : typeof a === 'string' ? a.length : Object.keys(a as object).length),
  index: (a, ...keys) => keys.reduce((cur: unknown, k) => (cur as Record<string, unknown>)?.[k as string], a),
  quote: (...a) => a.map((x) => JSON.stringify(str(x))).join(' '),
  squote: (...a) => a.map((x) => `'${str(x)}'`).join(' '),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  trim: (s) => str(s).trim(),
  trimSuffix: (suf, s) => (str(s).endsWith(str(suf)) ? str(s).slice(0, -str(suf).length) : str(s)),
  trimPrefix: (pre, s) => (str(s).startsWith(str(pre)) ? str(s).slice(str(pre).length) : str(s)),
  replace: (a, b, s) => str(s).split(str(a)).join(str(b)),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  hasSuffix: (p, s) => str(s).endsWith(str(p)),
  join: (sep, l) => (Array.isArray(l) ? l.map(str).join(str(sep)) : str(l)),
  splitList: (sep, s) => str(s).split(str(sep)),
  toString: (v: unknown) => str(v),
  env: (name, fallback) => process.env[str(name)] || (fallback === undefined ? '' : fallback),
  required: (msg, v) => {
    if (v === null || v === undefined || v === '' || v === NO_VALUE) throw new TemplateError(str(msg));
    return v;
  },
  fail: (msg) => {
    throw new TemplateError(str(msg));
  },
};

class Evaluator {
  readonly defines: Map<string, Node[]>;
  readonly root: unknown;
  out = '';
  steps = 0;
  constructor(defines: Map<string, Node[]>, root: unknown) {
    this.defines = defines;
    this.root = root;
  }

  run(nodes: Node[], dot: unknown, scope: Scope): void {
    for (const n of nodes) {
      if (++this.steps > 1_000_000) throw new TemplateError('template too expensive');
      switch (n.k) {
        case 'text':
          this.out += n.v;
          break;
        case 'action': {
          const v = this.pipe(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) this.out += str(v);
          break;
        }
        case 'if': {
          const v = this.pipe(n.pipe, dot, scope);
          this.run(truthy(v) ? n.body : n.else, dot, new Scope(scope));
          break;
        }
        case 'with': {
          const v = this.pipe(n.pipe, dot, scope);
          if (truthy(v)) this.run(n.body, v, new Scope(scope));
          else this.run(n.else, dot, new Scope(scope));
          break;
        }
        case 'range': {
          const decl = n.pipe.decl;
          const v = this.pipe({ ...n.pipe, decl: [] }, dot, scope);
          const entries: Array<[unknown, unknown]> = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v && typeof v === 'object'
              ? Object.keys(v)
                  .sort()
                  .map((k) => [k, (v as Record<string, unknown>)[k]])
              : typeof v === 'number'
                ? Array.from({ length: v }, (_x, i) => [i, i])
                : [];
          if (entries.length === 0) this.run(n.else, dot, new Scope(scope));
          for (const [k, x] of entries) {
            const s = new Scope(scope);
            if (decl.length === 1) s.vars.set(decl[0]!, x);
            if (decl.length === 2) {
              s.vars.set(decl[0]!, k);
              s.vars.set(decl[1]!, x);
            }
            this.run(n.body, x, s);
          }
          break;
        }
        case 'template': {
          const body = this.defines.get(n.name);
          if (!body) throw new TemplateError(`no such template "${n.name}"`);
          const arg = n.pipe ? this.pipe(n.pipe, dot, scope) : undefined;
          this.run(body, arg, new Scope());
          break;
        }
      }
    }
  }

  pipe(p: Pipe, dot: unknown, scope: Scope): unknown {
    let val: unknown = NO_VALUE;
    let first = true;
    for (const cmd of p.cmds) {
      val = this.command(cmd, dot, scope, first ? undefined : { v: val });
      first = false;
    }
    for (const d of p.decl) {
      if (p.assign) scope.set(d, val);
      else scope.vars.set(d, val);
    }
    return val;
  }

  command(cmd: Arg[], dot: unknown, scope: Scope, piped: { v: unknown } | undefined): unknown {
    const [head, ...rest] = cmd;
    if (!head) throw new TemplateError('empty command');
    if (head.k === 'fn') {
      const args = rest.map((a) => this.arg(a, dot, scope));
      if (piped) args.push(piped.v);
      if (head.name === 'include') {
        const body = this.defines.get(str(args[0]));
        if (!body) throw new TemplateError(`no such template "${str(args[0])}"`);
        const sub = new Evaluator(this.defines, this.root);
        sub.run(body, args[1], new Scope());
        return sub.out;
      }
      const fn = FUNCS[head.name];
      if (!fn) throw new TemplateError(`function "${head.name}" not defined`);
      return fn(...args);
    }
    if (rest.length || piped) throw new TemplateError("can't give argument to non-function");
    return this.arg(head, dot, scope);
  }

  arg(a: Arg, dot: unknown, scope: Scope): unknown {
    switch (a.k) {
      case 'lit':
        return a.v;
      case 'paren':
        return this.pipe(a.pipe, dot, scope);
      case 'fn':
        return this.command([a], dot, scope, undefined);
      case 'field': {
        const base = a.base === 'dot' ? dot : a.base === 'root' ? this.root : scope.get(a.varName!);
        return field(base, a.path);
      }
    }
  }
}

/** Renders a werf-style Go template with the given data as `.` and `$`. Throws TemplateError when it cannot. */
export function renderWerfTemplate(src: string, data: unknown, extraDefines: string[] = []): string {
  const parsed = parse(src);
  for (const extra of extraDefines) for (const [k, v] of parse(extra).defines) parsed.defines.set(k, v);
  const ev = new Evaluator(parsed.defines, data);
  const scope = new Scope();
  scope.vars.set('$', data);
  ev.run(parsed.nodes, data, scope);
  return ev.out;
}
