// What every benchmark script shares: its figures, phases that turn a failure into an `error` figure instead of
// stopping the run, cleanup of everything it started (in reverse order, on success, failure, signal or its hard time
// limit), and the end: the table on stdout and the JSON file bench/results/<id>-<timestamp>.json.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, type Figure, verdict } from './figures.ts';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export interface BenchOptions {
  /** File name prefix of the results (`p1`, `syncer`, …). */
  readonly id: string;
  readonly title: string;
  /** The run stops (and cleans up) after this long, whatever it is doing. */
  readonly hardLimitMs: number;
  /** Written to the JSON as they are. */
  readonly parameters: Record<string, unknown>;
  /** Lines printed after the table. */
  readonly footer?: readonly string[];
}

export interface Bench {
  /** A progress line on stderr, with the time since the start. */
  say(line: string): void;
  onCleanup(what: string, fn: () => Promise<unknown>, timeoutMs?: number): void;
  figure(id: string, name: string, partial?: Partial<Figure>): Figure;
  /** Runs `fn`; when it throws, the figures of `ids` still without a value get the error. */
  phase(name: string, ids: readonly Figure[], fn: () => Promise<void>): Promise<void>;
  /** Kept in the JSON beside the figures. */
  readonly context: Record<string, unknown>;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: BENCH_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** On SIGINT/SIGTERM or after `hardLimitMs`, whatever the run is doing: clean up, then exit (130, or 2). */
export function stopOnSignalsAndLimit(
  say: (line: string) => void,
  cleanup: () => Promise<void>,
  hardLimitMs: number,
): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const hardLimit = setTimeout(() => {
    say(`over the ${hardLimitMs / 60_000} min limit: stopping`);
    void cleanup().finally(() => process.exit(2));
  }, hardLimitMs);
  hardLimit.unref();
}

/** Runs one benchmark and exits: 0 when it ran and no figure is an error, 1 otherwise. */
export async function runBench(options: BenchOptions, main: (bench: Bench) => Promise<void>): Promise<never> {
  const startedAt = performance.now();
  const say = (line: string) =>
    process.stderr.write(
      `[${options.id} ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}\n`,
    );
  const cleanups: { what: string; fn: () => Promise<unknown>; timeoutMs: number }[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      for (const { what, fn, timeoutMs } of cleanups.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            fn(),
            new Promise(
              (_, reject) =>
                (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs)),
            ),
          ]);
        } catch (err) {
          say(`cleanup of ${what} failed: ${(err as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return cleaning;
  };
  stopOnSignalsAndLimit(say, cleanup, options.hardLimitMs);

  const figures: Figure[] = [];
  const context: Record<string, unknown> = { loadAvgStart: loadavg() };
  const bench: Bench = {
    say,
    context,
    onCleanup: (what, fn, timeoutMs = 40_000) => {
      cleanups.push({ what, fn, timeoutMs });
    },
    figure: (id, name, partial = {}) => {
      const f: Figure = { id, name, value: undefined, shown: '', ...partial };
      figures.push(f);
      return f;
    },
    phase: async (name, ids, fn) => {
      say(`${name}…`);
      const started = performance.now();
      try {
        await fn();
      } catch (err) {
        const message = (err as Error).message;
        say(`${name} failed: ${(err as Error).stack ?? message}`);
        for (const figure of ids) if (figure.value === undefined) figure.error ??= message;
      }
      say(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    },
  };

  let code = 1;
  try {
    await main(bench);
    code = 0;
  } catch (err) {
    say(`failed: ${(err as Error).stack ?? String(err)}`);
    for (const figure of figures) if (figure.value === undefined) figure.error ??= (err as Error).message;
  } finally {
    await cleanup();
  }
  context.loadAvgEnd = loadavg();

  const results = {
    benchmark: options.id,
    title: options.title,
    at: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: availableParallelism(),
    durationSeconds: Math.round((performance.now() - startedAt) / 1000),
    parameters: options.parameters,
    context,
    figures: figures.map((f) => ({ ...f, result: verdict(f) })),
  };
  const file = join(
    BENCH_DIR,
    'results',
    `${options.id}-${results.at.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`,
  );
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);

  const head = `${options.title} (${results.node}, ${results.cpus} CPUs, ${results.durationSeconds} s, commit ${results.commit ?? '?'})`;
  process.stdout.write(`\n${head}\n\n${formatTable(figures)}\n\n`);
  for (const line of options.footer ?? []) process.stdout.write(`${line}\n`);
  process.stdout.write(`results: ${file}\n`);
  process.exit(code !== 0 || figures.some((f) => verdict(f) === 'error') ? 1 : 0);
}
