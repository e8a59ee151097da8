// `modsync lint` beside DMT on the same module folders: wall time and peak memory per module, medians of a few runs,
// with the ratio modsync/DMT. modsync runs what the image runs: the bundle (scripts/build.ts) with the image's Node
// options (infra/image/Dockerfile). DMT is the binary test/env/build-dmt.sh leaves in the cache (or MODSYNC_DMT); when
// there is none, modsync's figures are printed against the DMT figures recorded in libs/lint/README.md.
//   node bench/lint.ts [--runs N] [--no-build] <module-dir>...
// Peak memory is GNU time's %M (the larger of the process and its children, helm included), so /usr/bin/time is
// needed for the memory column; without it only times are printed.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAll, builtEntry } from '../scripts/build.ts';
import { median } from './util.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = join(REPO, builtEntry('cli'));
const GNU_TIME = '/usr/bin/time';

/** The Node options and allocator settings of the image (infra/image/Dockerfile `ENV`). */
function imageEnv(): NodeJS.ProcessEnv {
  const dockerfile = readFileSync(join(REPO, 'infra', 'image', 'Dockerfile'), 'utf8');
  const env: NodeJS.ProcessEnv = { ...process.env };
  const line = /^ENV (.*NODE_OPTIONS=.*)$/m.exec(dockerfile)?.[1] ?? '';
  for (const m of line.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return env;
}

/** DMT's binary: MODSYNC_DMT, else the newest build in the modsync cache. */
function findDmt(): string | undefined {
  if (process.env['MODSYNC_DMT']) return process.env['MODSYNC_DMT'];
  const cache = join(
    process.env['MODSYNC_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'modsync'),
    'dmt',
  );
  if (!existsSync(cache)) return undefined;
  const builds = readdirSync(cache)
    .filter((v) => v.startsWith('v') && existsSync(join(cache, v, 'dmt')))
    .sort()
    .reverse();
  return builds[0] ? join(cache, builds[0], 'dmt') : undefined;
}

interface Sample {
  seconds: number;
  /** Peak resident memory in MB, when GNU time is there. */
  mb?: number;
}

/** Runs a command to its end; its output is discarded (both tools exit 1 on findings, which is not a failure here). */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const timed = existsSync(GNU_TIME);
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(timed ? GNU_TIME : cmd, timed ? ['-f', '%M', cmd, ...args] : args, {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4096);
    });
    child.on('error', reject);
    child.on('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const kb = timed ? Number(/(\d+)\s*$/.exec(stderr)?.[1]) : Number.NaN;
      resolvePromise(Number.isFinite(kb) ? { seconds, mb: kb / 1024 } : { seconds });
    });
  });
}

/** DMT's figures recorded in libs/lint/README.md ("| module | seconds | MB |" rows under "DMT figures"). */
function recordedDmt(): Map<string, Sample> {
  const readme = readFileSync(join(REPO, 'libs', 'lint', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### DMT figures'));
  const out = new Map<string, Sample>();
  for (const m of section.matchAll(/^\| ([\w.-]+) \| ([\d.]+) \| ([\d.]+) \|/gm))
    out.set(m[1]!, { seconds: Number(m[2]), mb: Number(m[3]) });
  return out;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' }, 'no-build': { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs) || 5);
const dirs = positionals.map((d) => resolve(d));
if (dirs.length === 0) {
  process.stderr.write('usage: node bench/lint.ts [--runs N] [--no-build] <module-dir>...\n');
  process.exit(2);
}
if (!values['no-build']) await buildAll({ quiet: true });
const dmt = findDmt();
const recorded = dmt ? undefined : recordedDmt();
const env = imageEnv();

const fmt = (s: Sample | undefined): string =>
  s
    ? `${s.seconds.toFixed(2)} s ${s.mb !== undefined ? `${s.mb.toFixed(0).padStart(4)} MB` : '       '}`
    : '      —       ';
const ratio = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : '—';

const rows: Array<{ module: string; modsync: Sample; dmt?: Sample; dmtSource: string }> = [];
process.stdout.write(
  `\nmodsync lint vs DMT (${runs} runs each, medians; ${cpus().length} CPUs; DMT: ${dmt ?? 'not built: figures recorded in libs/lint/README.md'})\n\n`,
);
process.stdout.write(`${'module'.padEnd(28)} ${'modsync'.padEnd(16)} ${'DMT'.padEnd(16)} time  memory\n`);
for (const dir of dirs) {
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternated, so a neighbour's load falls on both alike.
    ours.push(await measure(process.execPath, [BUNDLE, 'lint', dir], env));
    if (dmt) theirs.push(await measure(dmt, ['lint', dir], process.env));
  }
  const med = (ss: Sample[]): Sample | undefined => {
    if (ss.length === 0) return undefined;
    const mbs = ss.map((s) => s.mb).filter((m): m is number => m !== undefined);
    return mbs.length
      ? { seconds: median(ss.map((s) => s.seconds)), mb: median(mbs) }
      : { seconds: median(ss.map((s) => s.seconds)) };
  };
  const name = basename(dir);
  const row = { module: name, modsync: med(ours)!, dmtSource: dmt ? 'measured' : 'recorded' } as (typeof rows)[number];
  const other = dmt ? med(theirs) : recorded!.get(name);
  if (other) row.dmt = other;
  rows.push(row);
  process.stdout.write(
    `${name.padEnd(28)} ${fmt(row.modsync).padEnd(16)} ${fmt(row.dmt).padEnd(16)} ${ratio(row.modsync.seconds, row.dmt?.seconds).padEnd(5)} ${ratio(row.modsync.mb, row.dmt?.mb)}\n`,
  );
}

const at = new Date().toISOString();
const file = join(REPO, 'bench', 'results', `lint-${at.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
await mkdir(join(REPO, 'bench', 'results'), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify({ at, node: process.version, cpus: cpus().length, runs, dmt: dmt ?? null, rows }, null, 2)}\n`,
);
process.stdout.write(`\n(modsync/DMT ratios: below 1× is faster or smaller; kept in ${file.slice(REPO.length)})\n`);
