// Test support: craft tar archives byte by byte (including the malicious ones tar's packer refuses to write).
import { Header, type HeaderData } from 'tar';

export interface CraftedEntry {
  readonly path: string;
  readonly type?: NonNullable<HeaderData['type']>;
  readonly body?: string | Buffer;
  readonly linkpath?: string;
  readonly mode?: number;
  /** Size written in the header when it must lie. */
  readonly size?: number;
}

export function craftTar(entries: readonly CraftedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const type = e.type ?? 'File';
    const header = new Header({
      path: e.path,
      type,
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: e.size ?? (type === 'File' ? body.length : 0),
      linkpath: e.linkpath,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      uname: '',
      gname: '',
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (body.length > 0) {
      blocks.push(body);
      const pad = (512 - (body.length % 512)) % 512;
      if (pad > 0) blocks.push(Buffer.alloc(pad));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
