import { raw } from 'jq-wasm';

/**
 * Runs a jq program with jq itself (jq-wasm: jq compiled to WebAssembly, loaded on first use), for the jq
 * conversions of `openapi/conversions`. Resolves with every output, in order (none for `empty`); rejects with
 * jq's own message for a compile or runtime error.
 */
export async function runJq(program: string, input: unknown): Promise<unknown[]> {
  const text = await raw(JSON.stringify(input ?? null), program, ['-c']);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}
