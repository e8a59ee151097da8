import { TokenCursor } from './token-cursor.ts';
/**
 * A PromQL syntax checker written from the Prometheus query language documentation: selectors with label
 * matchers, range and subquery brackets, offset/@ modifiers, aggregations with by/without, binary operators
 * with bool/on/ignoring/group_left/group_right, function calls (known names only) and literals.
 */

const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil',
  'changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'days_in_month', 'day_of_month',
  'day_of_week', 'day_of_year', 'deg', 'delta', 'deriv', 'exp', 'floor', 'histogram_avg', 'histogram_count',
  'histogram_fraction', 'histogram_quantile', 'histogram_stddev', 'histogram_stdvar', 'histogram_sum', 'hour',
  'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log10', 'log2',
  'mad_over_time', 'max_over_time', 'min_over_time', 'minute', 'month', 'pi', 'predict_linear', 'present_over_time',
  'quantile_over_time', 'rad', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_desc',
  'sort_by_label', 'sort_by_label_desc', 'sqrt', 'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan',
  'tanh', 'time', 'timestamp', 'vector', 'year', 'double_exponential_smoothing', 'holt_winters', 'info',
  'limitk', 'limit_ratio', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time', 'first_over_time',
]);
const AGGREGATIONS = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio']);
const PARAM_AGGREGATIONS = new Set(['topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio']);
const BIN_PRECEDENCE: Record<string, number> = {
  or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6,
};

interface Tok {
  t: 'id' | 'num' | 'dur' | 'str' | 'op' | 'eof';
  v: string;
  pos: number;
}

export class PromQLError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(message);
    this.name = 'PromQLError';
    this.pos = pos;
  }
}

const DURATION = /^(?:\d+(?:ms|[smhdwy]))+/;

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const ops = ['==', '!=', '<=', '>=', '=~', '!~', '+', '-', '*', '/', '%', '^', '<', '>', '=', ',', '(', ')', '{', '}', '[', ']', ':', '@'];
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const start = i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && c !== '`') i++;
        if (src[i] === '\n' && c !== '`') throw new PromQLError('unterminated quoted string', start);
        i++;
      }
      if (i >= src.length) throw new PromQLError('unterminated quoted string', start);
      i++;
      toks.push({ t: 'str', v: src.slice(start, i), pos: start });
      continue;
    }
    const dur = DURATION.exec(src.slice(i));
    if (dur && !/[A-Za-z0-9_.]/.test(src[i + dur[0].length] ?? '')) {
      toks.push({ t: 'dur', v: dur[0], pos: i });
      i += dur[0].length;
      continue;
    }
    const num = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      toks.push({ t: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^(?:[A-Za-z_]|:[A-Za-z_:])[A-Za-z0-9_:.]*/.exec(src.slice(i));
    if (id) {
      toks.push({ t: 'id', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = ops.find((o) => src.startsWith(o, i));
    if (!op) throw new PromQLError(`unexpected character: '${c}'`, i);
    toks.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  toks.push({ t: 'eof', v: 'end of input', pos: src.length });
  return toks;
}

class Parser extends TokenCursor<Tok> {
  isId(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v.toLowerCase() === v;
  }
  expect(v: string): Tok {
    const t = this.next();
    if (!(t.t === 'op' && t.v === v)) throw new PromQLError(`unexpected ${describe(t)}, expected "${v}"`, t.pos);
    return t;
  }

  binOp(): string | undefined {
    const t = this.peek();
    if (t.t === 'op' && t.v in BIN_PRECEDENCE) return t.v;
    if (t.t === 'id' && ['and', 'or', 'unless', 'atan2'].includes(t.v.toLowerCase())) return t.v.toLowerCase();
    return undefined;
  }

  expr(minPrec = 0): void {
    if (++this.depth > 300) throw new PromQLError('expression nested too deeply', this.peek().pos);
    this.unary();
    for (;;) {
      const op = this.binOp();
      if (!op) break;
      const prec = BIN_PRECEDENCE[op]!;
      if (prec < minPrec) break;
      this.next();
      if (this.isId('bool')) this.next();
      if (this.isId('on') || this.isId('ignoring')) {
        this.next();
        this.labelList();
        if (this.isId('group_left') || this.isId('group_right')) {
          this.next();
          if (this.isOp('(')) this.labelList();
        }
      }
      this.expr(op === '^' ? prec : prec + 1);
    }
    this.depth--;
  }

  unary(): void {
    if (this.isOp('+') || this.isOp('-')) {
      this.next();
      this.unary();
      return;
    }
    this.postfix();
  }

  postfix(): void {
    this.primary();
    for (;;) {
      if (this.isOp('[')) {
        const open = this.next();
        const d = this.next();
        if (d.t !== 'dur' && d.t !== 'num') throw new PromQLError(`unexpected ${describe(d)} in subquery selector, expected duration`, d.pos);
        if (this.isOp(':')) {
          this.next();
          if (!this.isOp(']')) {
            const step = this.next();
            if (step.t !== 'dur' && step.t !== 'num') throw new PromQLError(`unexpected ${describe(step)} in subquery selector, expected duration`, step.pos);
          }
        }
        const close = this.next();
        if (!(close.t === 'op' && close.v === ']')) throw new PromQLError(`unexpected ${describe(close)} in subquery selector, expected "]"`, close.t === 'eof' ? open.pos : close.pos);
      } else if (this.isId('offset')) {
        this.next();
        if (this.isOp('-') || this.isOp('+')) this.next();
        const d = this.next();
        if (d.t !== 'dur' && d.t !== 'num') throw new PromQLError(`unexpected ${describe(d)} in offset, expected duration`, d.pos);
      } else if (this.isOp('@')) {
        this.next();
        if (this.isId('start') || this.isId('end')) {
          this.next();
          this.expect('(');
          this.expect(')');
        } else {
          if (this.isOp('-') || this.isOp('+')) this.next();
          const n = this.next();
          if (n.t !== 'num') throw new PromQLError(`unexpected ${describe(n)} in @, expected timestamp`, n.pos);
        }
      } else return;
    }
  }

  labelList(): void {
    this.expect('(');
    while (!this.isOp(')')) {
      const t = this.next();
      if (t.t !== 'id' && t.t !== 'str') throw new PromQLError(`unexpected ${describe(t)} in grouping opts, expected label`, t.pos);
      if (this.isOp(',')) this.next();
      else break;
    }
    this.expect(')');
  }

  matchers(): void {
    this.expect('{');
    while (!this.isOp('}')) {
      const name = this.next();
      if (name.t !== 'id' && name.t !== 'str') throw new PromQLError(`unexpected ${describe(name)} in label matching, expected label`, name.pos);
      if (name.t === 'str' && (this.isOp(',') || this.isOp('}'))) {
        // a quoted metric name inside braces
      } else {
        const op = this.next();
        if (!(op.t === 'op' && ['=', '!=', '=~', '!~'].includes(op.v))) throw new PromQLError(`unexpected ${describe(op)} in label matching, expected label matching operator`, op.pos);
        const val = this.next();
        if (val.t !== 'str') throw new PromQLError(`unexpected ${describe(val)} in label matching, expected string`, val.pos);
        if (op.v === '=~' || op.v === '!~') {
          try {
            new RegExp(val.v.slice(1, -1));
          } catch {
            throw new PromQLError(`invalid regular expression ${val.v}`, val.pos);
          }
        }
      }
      if (this.isOp(',')) this.next();
      else break;
    }
    this.expect('}');
  }

  args(): void {
    this.expect('(');
    if (this.isOp(')')) {
      this.next();
      return;
    }
    for (;;) {
      this.expr();
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      break;
    }
    this.expect(')');
  }

  primary(): void {
    const t = this.peek();
    if (t.t === 'num' || t.t === 'str' || t.t === 'dur') {
      this.next();
      return;
    }
    if (t.t === 'op' && t.v === '(') {
      this.next();
      this.expr();
      this.expect(')');
      return;
    }
    if (t.t === 'op' && t.v === '{') {
      this.matchers();
      return;
    }
    if (t.t === 'id') {
      const lower = t.v.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        this.next();
        return;
      }
      if (AGGREGATIONS.has(lower) && (this.toks[this.i + 1]?.v === '(' || ['by', 'without'].includes(this.toks[this.i + 1]?.v.toLowerCase() ?? ''))) {
        this.next();
        if (this.isId('by') || this.isId('without')) {
          this.next();
          this.labelList();
        }
        this.expect('(');
        this.expr();
        if (PARAM_AGGREGATIONS.has(lower)) {
          this.expect(',');
          this.expr();
        }
        this.expect(')');
        if (this.isId('by') || this.isId('without')) {
          this.next();
          this.labelList();
        }
        return;
      }
      if (this.toks[this.i + 1]?.t === 'op' && this.toks[this.i + 1]?.v === '(') {
        if (!FUNCTIONS.has(t.v)) throw new PromQLError(`unknown function with name "${t.v}"`, t.pos);
        this.next();
        this.args();
        return;
      }
      if (['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless'].includes(lower)) {
        throw new PromQLError(`unexpected ${lower}`, t.pos);
      }
      this.next();
      if (this.isOp('{')) this.matchers();
      return;
    }
    throw new PromQLError(`unexpected ${describe(t)}`, t.pos);
  }
}

function describe(t: Tok): string {
  if (t.t === 'eof') return 'end of input';
  if (t.t === 'str') return `string ${t.v}`;
  if (t.t === 'num') return `number "${t.v}"`;
  if (t.t === 'dur') return `duration "${t.v}"`;
  if (t.t === 'id') return `identifier "${t.v}"`;
  return `character "${t.v}"`;
}

/** Returns undefined when the expression parses, else `1:col: parse error: ...` like the Prometheus parser. */
export function checkPromQL(src: string): string | undefined {
  try {
    const p = new Parser(lex(src));
    if (p.peek().t === 'eof') throw new PromQLError('no expression found in input', 0);
    p.expr();
    const rest = p.peek();
    if (rest.t !== 'eof') throw new PromQLError(`unexpected ${describe(rest)}`, rest.pos);
    return undefined;
  } catch (err) {
    if (err instanceof PromQLError) {
      const before = src.slice(0, err.pos);
      const line = before.split('\n').length;
      const col = err.pos - before.lastIndexOf('\n');
      return `${line}:${col}: parse error: ${err.message}`;
    }
    throw err;
  }
}
