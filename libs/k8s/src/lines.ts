/**
 * Splits a byte stream into newline-terminated lines and decodes each line whole, so a multi-byte UTF-8 character
 * that arrives split across chunks (one byte a chunk, even) is never decoded in halves.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  /** The complete lines `chunk` finishes (without the newline; blank lines dropped). */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset + start, newline - start));
      const line = this.decoder.decode(Buffer.concat(this.pending)).trim();
      this.pending = [];
      if (line) lines.push(line);
      start = newline + 1;
    }
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
    return lines;
  }

  /** What is left after the stream ended: a last line without a newline, if any. */
  end(): string[] {
    const line = this.decoder.decode(Buffer.concat(this.pending)).trim();
    this.pending = [];
    return line ? [line] : [];
  }
}
