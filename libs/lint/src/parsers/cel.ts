import type { Environment } from '@marcbachmann/cel-js';

/**
 * CEL compile checks (parse and type-check) with @marcbachmann/cel-js, for `x-deckhouse-validations`: the
 * variables are dynamically typed, as in deckhouse-controller's environment. Besides CEL's standard library the
 * library declares its string extensions (lowerAscii, split, …); Kubernetes' list functions (isSorted, sum, min,
 * max, indexOf, lastIndexOf) are declared too, since module authors write these rules as they write
 * x-kubernetes-validations (libs/lint/README.md lists this among our deliberate differences).
 */
const environments = new Map<string, Environment>();
let celLibrary: typeof import('@marcbachmann/cel-js') | undefined;

/** Loads the CEL library (imported on first need: most modules have no x-deckhouse-validations). */
export async function loadCel(): Promise<void> {
  celLibrary ??= await import('@marcbachmann/cel-js');
}

function environment(variables: readonly string[]): Environment {
  const key = variables.join('\n');
  let env = environments.get(key);
  if (env) return env;
  if (!celLibrary) throw new Error('the CEL library is not loaded (loadCel)');
  env = new celLibrary.Environment();
  for (const v of variables) env.registerVariable(v, 'dyn');
  env
    .registerFunction('list.isSorted(): bool', (l: unknown[]) =>
      l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0),
    )
    .registerFunction(
      'list.sum(): dyn',
      (l: unknown[]) =>
        l.reduce((a: unknown, b: unknown) => (a === undefined ? b : (a as number) + (b as number)), undefined) ?? 0n,
    )
    .registerFunction('list.min(): dyn', (l: unknown[]) => [...l].sort(compare)[0])
    .registerFunction('list.max(): dyn', (l: unknown[]) => [...l].sort(compare).at(-1))
    .registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) => BigInt(l.indexOf(x)))
    .registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) => BigInt(l.lastIndexOf(x)));
  environments.set(key, env);
  return env;
}

function compare(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Returns undefined when the expression compiles, else an `ERROR: <input>:line:col: message` text (after loadCel). */
export function checkCel(src: string, variables: readonly string[]): string | undefined {
  let result;
  try {
    result = environment(variables).check(src);
  } catch (err) {
    return `ERROR: <input>: ${(err as Error).message.split('\n')[0]}`;
  }
  if (result.valid) return undefined;
  const err = result.error!;
  const offset = err.range?.start ?? 0;
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `ERROR: <input>:${line}:${col}: ${err.message.split('\n')[0]}`;
}
