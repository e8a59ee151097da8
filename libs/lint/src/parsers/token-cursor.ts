/** A token of the hand-written expression parsers (CEL, PromQL): its kind, text and offset. */
export interface Token<Kind extends string = string> {
  t: Kind;
  v: string;
  pos: number;
}

/** The reading position of a recursive-descent parser over a token list ending in an `eof` token. */
export class TokenCursor<T extends Token> {
  readonly toks: T[];
  i = 0;
  /** Nesting depth, for the parsers' recursion limits. */
  depth = 0;

  constructor(toks: T[]) {
    this.toks = toks;
  }

  peek(): T {
    return this.toks[this.i]!;
  }

  next(): T {
    return this.toks[this.i++]!;
  }

  isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
}
