import { describe, expect, it } from 'vitest';
import { engineDoesNotReport } from './markdown-engine.ts';

// Each case was run through DMT v0.1.105's engine and through markdownlint with DMT's settings; `expected` is
// whether the engine leaves out a finding markdownlint reports.
const cases: Array<{ name: string; rule: string; line: number; doc: string; expected: boolean }> = [
  { name: 'MD007 under an ordered item', rule: 'MD007', line: 5, doc: '# T\n\n1. one\n\n  - sub\n', expected: true },
  { name: 'MD028 between two block quotes', rule: 'MD028', line: 4, doc: '# T\n\n> a\n\n> b\n', expected: true },
  {
    name: 'MD058 after a line of inline HTML',
    rule: 'MD058',
    line: 6,
    doc: '# T\n\ntext\n\n<a id="x"></a>\n| A | B |\n| - | - |\n| 1 | 2 |\n',
    expected: true,
  },
  {
    name: 'MD058 after a text line',
    rule: 'MD058',
    line: 4,
    doc: '# T\n\ntext\n| A | B |\n| - | - |\n| 1 | 2 |\n',
    expected: true,
  },
  {
    name: 'MD058 below a table that follows a text line',
    rule: 'MD058',
    line: 6,
    doc: '# T\n\ntext\n| A | B |\n| - | - |\n| 1 | 2 |\n> quote\n',
    expected: true,
  },
  {
    name: 'MD058 after a heading',
    rule: 'MD058',
    line: 4,
    doc: '# T\n\n## H\n| A | B |\n| - | - |\n| 1 | 2 |\n',
    expected: false,
  },
  {
    name: 'MD058 below a table after a blank line',
    rule: 'MD058',
    line: 5,
    doc: '# T\n\n| A | B |\n| - | - |\n| 1 | 2 |\n> quote\n',
    expected: false,
  },
  {
    name: 'MD058 after a code fence',
    rule: 'MD058',
    line: 6,
    doc: '# T\n\n```\nx\n```\n| A | B |\n| - | - |\n',
    expected: false,
  },
  { name: 'MD012, reported by both', rule: 'MD012', line: 3, doc: '# T\n\n\ntext\n', expected: false },
];

describe('engineDoesNotReport', () => {
  it.each(cases)('$name', ({ rule, line, doc, expected }) => {
    expect(engineDoesNotReport(rule, line, doc.split('\n'))).toBe(expected);
  });
});
