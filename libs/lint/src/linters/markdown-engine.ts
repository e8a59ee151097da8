// Where DMT's markdownlint engine (a Go port of markdownlint, see libs/lint/README.md#beside-dmt-on-real-modules)
// reports less than markdownlint itself on the same file and settings. Those findings go to our own rule
// `markdownlint-strict`, off by default, so that `markdownlint` reports what DMT reports.

const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const ATX_HEADING = /^ {0,3}#{1,6}(\s|$)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

/** 0-based index of the header row of the table that holds 0-based line `at`, or -1. */
function tableHeaderRow(lines: readonly string[], at: number): number {
  if (DELIMITER_ROW.test(lines[at + 1] ?? '')) return at;
  for (let i = at; i > 0; i--) {
    if (isBlank(lines[i])) return -1;
    if (DELIMITER_ROW.test(lines[i]!)) return i - 1;
  }
  return -1;
}

/**
 * True when DMT's engine does not report this markdownlint finding:
 * - MD007 (ul-indent): the engine measures a list item's indent from its parent's content, not from the line's
 *   start, so with DMT's settings (indent 2) it does not report indented lists.
 * - MD028 (no-blanks-blockquote): the engine's parser does not make two block quotes separated by a blank line
 *   siblings, so it never reports them.
 * - MD058 (blanks-around-tables) for a table whose header row follows a paragraph line (text, or a line of inline
 *   HTML such as `<a id="…"></a>`): the engine's parser lets no table interrupt a paragraph, so it sees text there.
 */
export function engineDoesNotReport(ruleName: string, lineNumber: number, lines: readonly string[]): boolean {
  if (ruleName === 'MD007' || ruleName === 'MD028') return true;
  if (ruleName !== 'MD058') return false;
  const header = tableHeaderRow(lines, lineNumber - 1);
  if (header <= 0) return false;
  const before = lines[header - 1];
  if (isBlank(before)) return false;
  return !(ATX_HEADING.test(before!) || THEMATIC_BREAK.test(before!) || FENCE.test(before!));
}
