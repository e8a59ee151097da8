import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

/** Helpers for the tests over libs/lint/testdata (not exported from the package). */

export const TESTDATA = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');
export const GOOD = join(TESTDATA, 'good');
const REPO = resolve(TESTDATA, '..', '..', '..');

/** Builds (or finds in the cache) helm with test/env/build-helm.sh and returns the binary's path. */
export function ensureHelm(): string {
  if (process.env['MODSYNC_HELM']) return process.env['MODSYNC_HELM'];
  const dir = execFileSync('bash', [join(REPO, 'test', 'env', 'build-helm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  return join(dir, 'helm');
}

export interface BadCase {
  name: string;
  dir: string;
  expect: { linter: string; rule: string; level: string };
  delete?: string[];
  patch?: Array<{
    file: string;
    doc?: number;
    set?: Record<string, unknown>;
    delete?: string[];
    raw?: [string, string];
  }>;
}

export function badCases(): BadCase[] {
  const out: BadCase[] = [];
  const root = join(TESTDATA, 'bad');
  for (const linter of readdirSync(root).sort()) {
    for (const rule of readdirSync(join(root, linter)).sort()) {
      const dir = join(root, linter, rule);
      const spec = JSON.parse(readFileSync(join(dir, 'case.yaml'), 'utf8')) as Omit<BadCase, 'name' | 'dir'>;
      out.push({ name: `${linter}/${rule}`, dir, ...spec });
    }
  }
  return out;
}

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out;
}

function setIn(obj: unknown, path: string, value: unknown, del: boolean): void {
  const parts = path.split('.');
  let cur = obj as Record<string, unknown>;
  for (const [i, p] of parts.entries()) {
    const last = i === parts.length - 1;
    const key = /^\d+$/.test(p) ? Number(p) : p;
    if (last) {
      if (del) delete (cur as Record<string | number, unknown>)[key];
      else (cur as Record<string | number, unknown>)[key] = value;
      return;
    }
    let next = (cur as Record<string | number, unknown>)[key];
    if (next === undefined || next === null) {
      next = /^\d+$/.test(parts[i + 1]!) ? [] : {};
      (cur as Record<string | number, unknown>)[key] = next;
    }
    cur = next as Record<string, unknown>;
  }
}

/** Materializes a bad case: a copy of the good module with the case's deletions, patches and overlay files. */
export function materialize(c: BadCase): { path: string; cleanup: () => void } {
  const work = mkdtempSync(join(tmpdir(), 'modsync-lint-case-'));
  const path = join(work, 'module');
  cpSync(GOOD, path, { recursive: true });
  for (const d of c.delete ?? []) rmSync(join(path, d), { recursive: true, force: true });
  for (const p of c.patch ?? []) {
    const file = join(path, p.file);
    let text = readFileSync(file, 'utf8');
    if (p.raw) text = text.replace(p.raw[0], p.raw[1]);
    if (p.set || p.delete) {
      const docs = parseAllDocuments(text);
      const list = Array.isArray(docs) ? docs : [docs];
      const values = list.map((d) => d.toJS() as unknown);
      const target = values[p.doc ?? 0];
      for (const [k, v] of Object.entries(p.set ?? {})) setIn(target, k, v, false);
      for (const k of p.delete ?? []) setIn(target, k, undefined, true);
      text = values
        .map((v) => stringify(v, { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' }))
        .join('---\n');
    }
    writeFileSync(file, text);
  }
  for (const f of walkFiles(c.dir)) {
    const rel = relative(c.dir, f);
    if (rel === 'case.yaml') continue;
    mkdirSync(dirname(join(path, rel)), { recursive: true });
    cpSync(f, join(path, rel));
  }
  return { path, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
