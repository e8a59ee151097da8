/**
 * Runs a jq program with jq itself (jq-wasm: jq compiled to WebAssembly; imported on first use, so
 * a run without conversions never loads its 1.3 MB), for the jq
 * conversions of `openapi/conversions`. Resolves with every output, in order (none for `empty`); rejects with
 * jq's own message for a compile or runtime error.
 */
export async function runJq(program: string, input: unknown): Promise<unknown[]> {
  const { raw } = await import('jq-wasm');
  const text = await raw(JSON.stringify(input ?? null), program, ['-c']);
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}
