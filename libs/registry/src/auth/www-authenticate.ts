// RFC 7235 challenges: `Bearer realm="https://auth.example.io/token",service="registry",scope="repository:a:pull"`.
// A header may carry several challenges; undici gives repeated headers as an array.

export interface AuthChallenge {
  /** Lowercased scheme: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameters with lowercased names. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parse every challenge of one or more `WWW-Authenticate` values. Malformed tails are dropped, never thrown. */
export function parseWwwAuthenticate(header: string | readonly string[] | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: AuthChallenge[] = [];
  for (const value of values) parseOne(value, out);
  return out;
}

function parseOne(input: string, out: AuthChallenge[]): void {
  let rest = input;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  const skip = (re: RegExp) => {
    const m = re.exec(rest);
    if (m !== null) rest = rest.slice(m[0].length);
  };
  for (;;) {
    skip(/^[\s,]+/);
    if (rest === '') break;
    const name = TOKEN.exec(rest);
    if (name === null) break;
    const afterName = rest.slice(name[0].length);
    const eq = /^\s*=\s*/.exec(afterName);
    // `token68` values (e.g. `Negotiate abc==`) contain `=` at their end; a param is `name=` followed by a value.
    if (current !== undefined && eq !== null && !/^\s*=\s*(?:[,\s]|$)/.test(afterName)) {
      rest = afterName.slice(eq[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest[i];
          i++;
        }
        rest = rest.slice(Math.min(i + 1, rest.length));
      } else {
        const m = /^[^,\s]*/.exec(rest)!;
        value = m[0];
        rest = rest.slice(m[0].length);
      }
      current.params[name[0].toLowerCase()] = value;
      continue;
    }
    current = { scheme: name[0].toLowerCase(), params: {} };
    out.push(current);
    rest = afterName;
    // token68 after the scheme: consume it as an unnamed value.
    const t68 = /^\s+([A-Za-z0-9._~+/-]+=*)\s*(?=,|$)/.exec(rest);
    if (t68 !== null) rest = rest.slice(t68[0].length);
  }
}
