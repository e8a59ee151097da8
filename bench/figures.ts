// The figures a benchmark prints: a value, its target, pass or miss, and a note; printed as a table and kept as JSON.

interface Target {
  op: '>=' | '<=' | '=';
  value: number;
}

export interface Figure {
  id: string;
  name: string;
  /** Undefined when the measurement failed (`error` says why). */
  value: number | undefined;
  /** How the value is shown, e.g. `0.93×`, `1.2 s`. */
  shown: string;
  target?: Target;
  targetShown?: string;
  note?: string;
  error?: string;
  /** Everything measured on the way (samples, per-round values), for the JSON file. */
  data?: unknown;
}

export function verdict(figure: Figure): 'pass' | 'miss' | 'error' | 'info' {
  if (figure.error !== undefined || figure.value === undefined || Number.isNaN(figure.value))
    return figure.target ? 'error' : 'info';
  if (!figure.target) return 'info';
  const { op, value } = figure.target;
  const ok = op === '>=' ? figure.value >= value : op === '<=' ? figure.value <= value : figure.value === value;
  return ok ? 'pass' : 'miss';
}

export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.id,
    f.name,
    f.error ? 'n/a' : f.shown,
    f.targetShown ?? '',
    verdict(f),
    f.error ? `ERROR: ${f.error}` : (f.note ?? ''),
  ]);
  const header = ['#', 'figure', 'measured', 'target', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.slice(0).map((r) => (i === 5 ? 0 : r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w, i) => (i === 5 ? '-'.repeat(4) : '-'.repeat(w)))), ...rows.map(line)].join(
    '\n',
  );
}

export const fmt = {
  ratio: (x: number) => `${x.toFixed(2)}×`,
  seconds: (x: number) => (x < 1 ? `${Math.round(x * 1000)} ms` : `${x.toFixed(2)} s`),
  mb: (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`,
  num: (x: number, digits = 2) => x.toFixed(digits),
};
