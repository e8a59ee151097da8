import { TokenCursor } from './token-cursor.ts';
/**
 * A CEL (Common Expression Language) syntax and reference checker, written from the CEL language
 * definition: parses an expression and reports the first syntax error or undeclared reference, for an
 * environment with the given variables (of dynamic type) and CEL's standard functions and macros.
 */

type Tok =
  | { t: 'num' | 'str' | 'id' | 'op' | 'eof'; v: string; pos: number };

const RESERVED = new Set([
  'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package',
  'namespace', 'return', 'var', 'void', 'while',
]);
const GLOBAL_FUNCS = new Set(['size', 'int', 'uint', 'double', 'string', 'bytes', 'bool', 'type', 'dyn', 'duration', 'timestamp', 'matches']);
const MEMBER_FUNCS = new Set([
  'contains', 'endsWith', 'startsWith', 'matches', 'size', 'getDate', 'getDayOfMonth', 'getDayOfWeek', 'getDayOfYear',
  'getFullYear', 'getHours', 'getMilliseconds', 'getMinutes', 'getMonth', 'getSeconds',
]);
const MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

export class CelSyntaxError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.name = 'CelSyntaxError';
    this.pos = pos;
  }
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const ops = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}'];
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    // string literals, with r/R raw and b/B bytes prefixes
    const prefix = /^([rRbB]{0,2})(['"])/.exec(src.slice(i, i + 3));
    if (prefix && (prefix[1] === '' || /^[rRbB]+$/.test(prefix[1]!)) && (prefix[1] !== '' || c === '"' || c === "'")) {
      const raw = /[rR]/.test(prefix[1]!);
      i += prefix[1]!.length;
      const q = src[i]!;
      const triple = src.startsWith(q.repeat(3), i);
      const close = triple ? q.repeat(3) : q;
      i += close.length;
      for (;;) {
        if (i >= src.length) throw new CelSyntaxError('unterminated string literal', start);
        if (!triple && src[i] === '\n') throw new CelSyntaxError('newline in string literal', i);
        if (src.startsWith(close, i)) {
          i += close.length;
          break;
        }
        if (src[i] === '\\' && !raw) {
          const e = src[i + 1];
          if (e === undefined || !/[abfnrtv\\'"`?xuU0-7]/.test(e)) throw new CelSyntaxError(`invalid escape sequence \\${e ?? ''}`, i);
          i += 2;
          continue;
        }
        i++;
      }
      toks.push({ t: 'str', v: src.slice(start, i), pos: start });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+[uU]?|(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[uU]?)/.exec(src.slice(i));
      if (!m) throw new CelSyntaxError('invalid number', i);
      i += m[0].length;
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw new CelSyntaxError(`invalid number literal '${src.slice(start, i + 1)}'`, start);
      toks.push({ t: 'num', v: m[0], pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'id', v: m[0], pos: start });
      continue;
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (!op) throw new CelSyntaxError(`token recognition error at: '${c}'`, i);
    i += op.length;
    toks.push({ t: 'op', v: op, pos: start });
  }
  toks.push({ t: 'eof', v: '<EOF>', pos: src.length });
  return toks;
}

type Node =
  | { k: 'ident'; name: string; pos: number }
  | { k: 'lit' }
  | { k: 'select'; operand: Node; field: string; test: boolean }
  | { k: 'call'; target: Node | undefined; fn: string; args: Node[]; pos: number }
  | { k: 'list'; items: Node[] }
  | { k: 'map'; entries: Array<[Node, Node]> }
  | { k: 'struct'; fields: Node[] }
  | { k: 'op'; args: Node[] };

class Parser extends TokenCursor<Tok> {
  expect(v: string): void {
    const t = this.next();
    if (!(t.t === 'op' && t.v === v)) throw new CelSyntaxError(`mismatched input '${t.v}' expecting '${v}'`, t.pos);
  }

  expr(): Node {
    if (++this.depth > 250) throw new CelSyntaxError('expression recursion limit exceeded', this.peek().pos);
    const cond = this.or();
    if (this.isOp('?')) {
      this.next();
      const a = this.or();
      this.expect(':');
      const b = this.expr();
      this.depth--;
      return { k: 'op', args: [cond, a, b] };
    }
    this.depth--;
    return cond;
  }
  or(): Node {
    let n = this.and();
    while (this.isOp('||')) {
      this.next();
      n = { k: 'op', args: [n, this.and()] };
    }
    return n;
  }
  and(): Node {
    let n = this.rel();
    while (this.isOp('&&')) {
      this.next();
      n = { k: 'op', args: [n, this.rel()] };
    }
    return n;
  }
  rel(): Node {
    let n = this.add();
    for (;;) {
      const t = this.peek();
      if ((t.t === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.v)) || (t.t === 'id' && t.v === 'in')) {
        this.next();
        n = { k: 'op', args: [n, this.add()] };
      } else return n;
    }
  }
  add(): Node {
    let n = this.mul();
    while (this.isOp('+') || this.isOp('-')) {
      this.next();
      n = { k: 'op', args: [n, this.mul()] };
    }
    return n;
  }
  mul(): Node {
    let n = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      this.next();
      n = { k: 'op', args: [n, this.unary()] };
    }
    return n;
  }
  unary(): Node {
    if (this.isOp('!') || this.isOp('-')) {
      this.next();
      return { k: 'op', args: [this.unary()] };
    }
    return this.member();
  }
  member(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const optional = this.isOp('?');
        if (optional) this.next();
        const id = this.next();
        if (id.t !== 'id') throw new CelSyntaxError(`mismatched input '${id.v}' expecting IDENTIFIER`, id.pos);
        if (this.isOp('(')) {
          this.next();
          const args = this.exprList(')');
          n = { k: 'call', target: n, fn: id.v, args, pos: id.pos };
        } else n = { k: 'select', operand: n, field: id.v, test: false };
      } else if (this.isOp('[')) {
        this.next();
        if (this.isOp('?')) this.next();
        const idx = this.expr();
        this.expect(']');
        n = { k: 'op', args: [n, idx] };
      } else if (this.isOp('{') && (n.k === 'ident' || n.k === 'select')) {
        this.next();
        const fields: Node[] = [];
        while (!this.isOp('}')) {
          const f = this.next();
          if (f.t !== 'id') throw new CelSyntaxError(`mismatched input '${f.v}' expecting IDENTIFIER`, f.pos);
          this.expect(':');
          fields.push(this.expr());
          if (!this.isOp(',')) break;
          this.next();
        }
        this.expect('}');
        n = { k: 'struct', fields };
      } else return n;
    }
  }
  exprList(close: string): Node[] {
    const args: Node[] = [];
    if (this.isOp(close)) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.expr());
      if (this.isOp(',')) {
        this.next();
        if (this.isOp(close) && close !== ')') break;
        continue;
      }
      break;
    }
    this.expect(close);
    return args;
  }
  primary(): Node {
    const t = this.next();
    if (t.t === 'num' || t.t === 'str') return { k: 'lit' };
    if (t.t === 'id') {
      if (t.v === 'true' || t.v === 'false' || t.v === 'null') return { k: 'lit' };
      if (RESERVED.has(t.v) || t.v === 'in') throw new CelSyntaxError(`reserved identifier: ${t.v}`, t.pos);
      if (this.isOp('(')) {
        this.next();
        const args = this.exprList(')');
        return { k: 'call', target: undefined, fn: t.v, args, pos: t.pos };
      }
      return { k: 'ident', name: t.v, pos: t.pos };
    }
    if (t.t === 'op') {
      if (t.v === '.') {
        const id = this.next();
        if (id.t !== 'id') throw new CelSyntaxError(`mismatched input '${id.v}' expecting IDENTIFIER`, id.pos);
        return { k: 'ident', name: id.v, pos: id.pos };
      }
      if (t.v === '(') {
        const e = this.expr();
        this.expect(')');
        return e;
      }
      if (t.v === '[') return { k: 'list', items: this.exprList(']') };
      if (t.v === '{') {
        const entries: Array<[Node, Node]> = [];
        while (!this.isOp('}')) {
          const key = this.expr();
          this.expect(':');
          entries.push([key, this.expr()]);
          if (!this.isOp(',')) break;
          this.next();
        }
        this.expect('}');
        return { k: 'map', entries };
      }
    }
    throw new CelSyntaxError(t.t === 'eof' ? "mismatched input '<EOF>'" : `extraneous input '${t.v}'`, t.pos);
  }
}

function check(n: Node, scope: Set<string>): void {
  switch (n.k) {
    case 'lit':
      return;
    case 'ident':
      if (!scope.has(n.name) && !TYPE_IDENTS.has(n.name)) throw new CelSyntaxError(`undeclared reference to '${n.name}' (in container '')`, n.pos);
      return;
    case 'select':
      return check(n.operand, scope);
    case 'list':
      return n.items.forEach((i) => check(i, scope));
    case 'map':
      return n.entries.forEach(([k, v]) => {
        check(k, scope);
        check(v, scope);
      });
    case 'struct':
      return n.fields.forEach((f) => check(f, scope));
    case 'op':
      return n.args.forEach((a) => check(a, scope));
    case 'call': {
      if (!n.target) {
        if (n.fn === 'has') {
          if (n.args.length !== 1 || n.args[0]!.k !== 'select') throw new CelSyntaxError('invalid argument to has() macro', n.pos);
          return check(n.args[0]!, scope);
        }
        if (!GLOBAL_FUNCS.has(n.fn)) throw new CelSyntaxError(`undeclared reference to '${n.fn}' (in container '')`, n.pos);
        return n.args.forEach((a) => check(a, scope));
      }
      check(n.target, scope);
      if (MACROS.has(n.fn)) {
        const v = n.args[0];
        const arity = n.fn === 'map' ? [2, 3] : [2];
        if (!v || v.k !== 'ident' || !arity.includes(n.args.length)) throw new CelSyntaxError(`invalid arguments to ${n.fn}() macro`, n.pos);
        const inner = new Set(scope);
        inner.add(v.name);
        return n.args.slice(1).forEach((a) => check(a, inner));
      }
      if (!MEMBER_FUNCS.has(n.fn)) throw new CelSyntaxError(`undeclared reference to '${n.fn}' (in container '')`, n.pos);
      return n.args.forEach((a) => check(a, scope));
    }
  }
}

/** Returns undefined when the expression compiles, else an `ERROR: <input>:1:col: message` text. */
export function checkCel(src: string, variables: readonly string[]): string | undefined {
  try {
    const p = new Parser(lex(src));
    const node = p.expr();
    const rest = p.peek();
    if (rest.t !== 'eof') throw new CelSyntaxError(`extraneous input '${rest.v}' expecting <EOF>`, rest.pos);
    check(node, new Set(variables));
    return undefined;
  } catch (err) {
    if (err instanceof CelSyntaxError) {
      const before = src.slice(0, err.pos);
      const line = before.split('\n').length;
      const col = err.pos - before.lastIndexOf('\n') - 1;
      return `ERROR: <input>:${line}:${col + 1}: ${err.message}`;
    }
    throw err;
  }
}
