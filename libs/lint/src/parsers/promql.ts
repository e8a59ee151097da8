let promql: typeof import('@prometheus-io/lezer-promql') | undefined;

/** Loads Prometheus' grammar (imported on first need: only modules with PrometheusRules use it). */
export async function loadPromQL(): Promise<void> {
  promql ??= await import('@prometheus-io/lezer-promql');
}

/**
 * PromQL syntax check with Prometheus' own grammar (@prometheus-io/lezer-promql, the one its UI uses): the
 * parser is error-tolerant, so the first error node of the tree is the first syntax error. Call loadPromQL first.
 */
export function checkPromQL(src: string): string | undefined {
  if (!promql) throw new Error('the PromQL grammar is not loaded (loadPromQL)');
  if (src.trim() === '') return '1:1: parse error: no expression found in input';
  let at: number | undefined;
  promql.parser.parse(src).iterate({
    enter: (node) => {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  if (at === undefined) return undefined;
  const before = src.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  const rest = src.slice(at).trimStart();
  const what = rest === '' ? 'end of input' : `"${/^(\w+|\S)/.exec(rest)![0]}"`;
  return `${line}:${col}: parse error: unexpected ${what}`;
}
