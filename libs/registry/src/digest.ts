// Content digests: compute, compare, and verify a stream while it flows.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryDigestMismatchError, type RegistryErrorFields } from './errors.ts';

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The digest of `bytes` with the algorithm of `expected` (sha256 or sha512). */
export function digestWithAlgorithmOf(expected: string, bytes: Uint8Array): string {
  const algorithm = expected.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export interface DigestVerifierOptions {
  /** Size the content must have (from a descriptor). */
  readonly expectedSize?: number | undefined;
  /** Fail as soon as more bytes than this flow. */
  readonly maxBytes?: number | undefined;
  readonly fields?: RegistryErrorFields;
  /** Called once with the byte count when the stream ends or fails. */
  readonly onDone?: (bytes: number) => void;
}

/**
 * A pass-through that hashes what flows and fails with RegistryDigestMismatchError at the end when the digest (or the
 * expected size) differs, or as soon as the size is exceeded. Consumers see the error before they see `end`.
 */
export class DigestVerifier extends Transform {
  readonly #expected: string;
  readonly #hash: Hash;
  readonly #options: DigestVerifierOptions;
  #bytes = 0;
  #reported = false;

  constructor(expected: string, options: DigestVerifierOptions = {}) {
    super();
    this.#expected = expected;
    this.#hash = createHash(expected.startsWith('sha512:') ? 'sha512' : 'sha256');
    this.#options = options;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #report(): void {
    if (this.#reported) return;
    this.#reported = true;
    this.#options.onDone?.(this.#bytes);
  }

  #mismatch(actual: string, why: string): RegistryDigestMismatchError {
    return new RegistryDigestMismatchError(`content of ${this.#expected} ${why}`, {
      ...this.#options.fields,
      reference: this.#expected,
      expected: this.#expected,
      actual,
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    const limit = Math.min(this.#options.expectedSize ?? Infinity, this.#options.maxBytes ?? Infinity);
    if (this.#bytes > limit) {
      this.#report();
      callback(this.#mismatch(`size>${limit}`, `is larger than ${limit} bytes`));
      return;
    }
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#report();
    const actual = `${this.#expected.slice(0, this.#expected.indexOf(':'))}:${this.#hash.digest('hex')}`;
    if (this.#options.expectedSize !== undefined && this.#bytes !== this.#options.expectedSize) {
      callback(this.#mismatch(actual, `has ${this.#bytes} bytes, expected ${this.#options.expectedSize}`));
      return;
    }
    if (actual !== this.#expected) {
      callback(this.#mismatch(actual, `has digest ${actual}`));
      return;
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#report();
    callback(error);
  }
}
