import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.ts';

function split(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter();
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('LineSplitter: whole lines, whole characters', () => {
  const text = '{"a":"Привет, мир"}\n{"b":"🚀 ✓"}\n';
  it.each([
    ['one chunk', [bytes(text)]],
    ['one byte a chunk', [...bytes(text)].map((b) => new Uint8Array([b]))],
    [
      'three bytes a chunk',
      Array.from({ length: Math.ceil(bytes(text).length / 3) }, (_, i) => bytes(text).subarray(i * 3, i * 3 + 3)),
    ],
  ])('%s', (_title, chunks) => {
    expect(split(chunks)).toEqual(['{"a":"Привет, мир"}', '{"b":"🚀 ✓"}']);
  });

  it('drops blank lines and keeps a last line without a newline', () => {
    expect(split([bytes('\n\nx\n'), bytes('  \ny')])).toEqual(['x', 'y']);
  });

  it('splits the emoji’s four bytes across pushes without a replacement character', () => {
    const emoji = bytes('"🚀"\n');
    const splitter = new LineSplitter();
    expect(splitter.push(emoji.subarray(0, 2))).toEqual([]);
    expect(splitter.push(emoji.subarray(2, 4))).toEqual([]);
    expect(splitter.push(emoji.subarray(4))).toEqual(['"🚀"']);
  });
});
