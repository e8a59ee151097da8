import { Composer, type Document, LineCounter, Parser, parseAllDocuments } from 'yaml';

export interface YamlDoc {
  /** The document as plain JS, or undefined for an empty document. */
  value: unknown;
  /** 1-based line of the document start. */
  line: number;
}

export class YamlParseError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(message);
    this.name = 'YamlParseError';
    this.line = line;
  }
}

const baseOptions = { uniqueKeys: true, prettyErrors: false, maxAliasCount: 1000 } as const;

/**
 * Parses the first YAML document of `text` strictly (duplicate keys are errors), as Go's yaml.Unmarshal does:
 * later documents are not read. Throws YamlParseError with the first error's line.
 */
export function parseYaml(text: string, opts: { version?: '1.1' | '1.2' } = {}): unknown {
  const parse = (src: string) => {
    const lc = new LineCounter();
    const doc = firstDocument(src, lc, opts.version ?? '1.2');
    return { doc, lc, failed: doc !== undefined && doc.errors.length > 0 };
  };
  let { doc, lc, failed } = parse(text);
  if (failed && hasUnderIndentedQuote(doc!.errors)) {
    const retry = parse(reindentQuotedContinuations(text));
    if (!retry.failed) ({ doc, lc, failed } = retry);
  }
  if (!doc) return null;
  const first = doc.errors[0];
  if (first) {
    const pos = first.pos?.[0];
    const line = pos !== undefined ? lc.linePos(pos).line : undefined;
    throw new YamlParseError(`${line !== undefined ? `line ${line}: ` : ''}${first.message.split('\n')[0]}`, line);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

/**
 * The first document of `src`, as parseAllDocuments would return it (its errors included), without composing the
 * documents after the second: the composer hands a document out once the next one starts or the input ends.
 */
function firstDocument(src: string, lc: LineCounter, version: '1.1' | '1.2'): Document.Parsed | undefined {
  const composer = new Composer({ ...baseOptions, version });
  for (const doc of composer.compose(new Parser(lc.addNewLine).parse(src))) return doc;
  return undefined;
}

function hasUnderIndentedQuote(errors: ReadonlyArray<{ code: string; message: string }>): boolean {
  return errors.some((e) => e.code === 'MISSING_CHAR' && /closing .?quote/.test(e.message));
}

/**
 * Go's YAML parser accepts a multi-line quoted scalar whose continuation lines are not indented past their key
 * (generated CRDs have them); the YAML spec and our parser do not. Folding drops a continuation line's leading
 * spaces, so indenting those lines two past the key's changes nothing else: done only when the first parse fails
 * on an unclosed quote.
 */
function reindentQuotedContinuations(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?[^\s#'"][^:]*:\s+(['"])(.*)$/.exec(lines[i]!);
    if (!m || closesQuote(m[3]!, m[2]!)) continue;
    const indent = m[1]!.length;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      const own = line.length - line.trimStart().length;
      if (line.trim() !== '' && own <= indent) lines[j] = `${' '.repeat(indent + 2)}${line.trimStart()}`;
      if (closesQuote(line, m[2]!)) {
        i = j;
        break;
      }
    }
  }
  return lines.join('\n');
}

/** Whether `rest` (the text after an opening quote) holds the closing one. */
function closesQuote(rest: string, quote: string): boolean {
  if (quote === "'") return rest.replaceAll("''", '').includes("'");
  for (let k = 0; k < rest.length; k++) {
    if (rest[k] === '\\') k++;
    else if (rest[k] === '"') return true;
  }
  return false;
}

/** Like parseYaml but never throws: returns [value, error]. */
export function tryParseYaml(
  text: string,
  opts: { version?: '1.1' | '1.2' } = {},
): [unknown, YamlParseError | undefined] {
  try {
    return [parseYaml(text, opts), undefined];
  } catch (err) {
    if (err instanceof YamlParseError) return [undefined, err];
    return [undefined, new YamlParseError(err instanceof Error ? err.message : String(err))];
  }
}

/** Parses a multi-document YAML stream, strictly; throws on the first error. */
export function parseYamlDocs(text: string): YamlDoc[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...baseOptions, lineCounter: lc });
  if (!Array.isArray(docs)) {
    throw new YamlParseError('not a YAML stream');
  }
  const out: YamlDoc[] = [];
  if (docs.some((d) => hasUnderIndentedQuote(d.errors))) {
    const fixed = reindentQuotedContinuations(text);
    const retry = parseAllDocuments(fixed, baseOptions);
    if (Array.isArray(retry) && retry.every((d) => d.errors.length === 0)) return parseYamlDocs(fixed);
  }
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first) {
      const pos = first.pos?.[0];
      const line = pos !== undefined ? lc.linePos(pos).line : undefined;
      throw new YamlParseError(`${line !== undefined ? `line ${line}: ` : ''}${first.message.split('\n')[0]}`, line);
    }
    const start = doc.range?.[0] ?? 0;
    out.push({ value: doc.toJS({ maxAliasCount: 1000 }) ?? undefined, line: lc.linePos(start).line });
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Splits a stream of manifests on `---` lines (DMT's fsutils.SplitManifests). */
export function splitManifests(text: string): string[] {
  return text
    .split(/^---\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
