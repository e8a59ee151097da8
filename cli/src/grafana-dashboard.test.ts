// infra/grafana/modsync.json: well-formed, and every metric it queries is one the services really export (found in
// their source text), so a renamed metric breaks this test instead of an operator's dashboard.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DASHBOARD = join(REPO, 'infra', 'grafana', 'modsync.json');

interface Target {
  expr?: string;
  refId?: string;
  datasource?: { uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
}

/** The source text of every non-test TypeScript file under libs/*\/src and services/*\/src. */
function metricsSource(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) texts.push(readFileSync(path, 'utf8'));
    }
  };
  for (const top of ['libs', 'services']) {
    for (const pkg of readdirSync(join(REPO, top))) {
      try {
        walk(join(REPO, top, pkg, 'src'));
      } catch {
        // a package without src/
      }
    }
  }
  return texts.join('\n');
}

/**
 * Whether the source defines `name`: as a literal (`name: 'modsync_syncs_total'`), or built from a literal prefix and a
 * template (`prefix ?? 'modsync_registry_'` with `${prefix}requests_total`). Histogram series suffixes are stripped.
 */
function defined(source: string, series: string): boolean {
  const name = series.replace(/_(bucket|sum|count)$/, '');
  const literals = new Set(source.match(/modsync_[a-z0-9_]+/g) ?? []);
  if (literals.has(name) && new RegExp(`['"\`]${name}['"\`]`).test(source)) return true;
  for (const prefix of literals) {
    if (prefix.endsWith('_') && name.startsWith(prefix) && source.includes(`\${prefix}${name.slice(prefix.length)}\``))
      return true;
  }
  return false;
}

function flatten(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...flatten(p.panels ?? [])]);
}

describe('Grafana dashboard infra/grafana/modsync.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    title: string;
    schemaVersion: number;
    panels: Panel[];
    templating: { list: { name: string }[] };
  };
  const panels = flatten(dashboard.panels);
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

  it('is a dashboard: uid, title, unique panel ids, every panel placed on the 24-column grid', () => {
    expect(dashboard).toMatchObject({ uid: 'modsync', title: 'modsync' });
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.title, `panel ${p.id}`).toBeTruthy();
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'namespace']);
  });

  it('queries through the data source variable, every target with an expression and a unique refId per panel', () => {
    for (const p of panels.filter((q) => q.type !== 'row')) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(new Set(p.targets!.map((t) => t.refId)).size, p.title).toBe(p.targets!.length);
      for (const t of p.targets!) {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable reference, not a template literal
        expect(t.datasource?.uid, p.title).toBe('${datasource}');
        expect(t.expr, p.title).toMatch(/modsync_/);
        // Balanced brackets: a cheap check that an edit did not break the PromQL.
        for (const [open, close] of [
          ['(', ')'],
          ['{', '}'],
          ['[', ']'],
        ] as const) {
          expect(t.expr!.split(open).length, `${p.title}: ${t.expr}`).toBe(t.expr!.split(close).length);
        }
      }
    }
  });

  it('queries only metrics the services define (grepped from their source)', () => {
    const source = metricsSource();
    const queried = [...new Set(exprs.flatMap((e) => e.match(/\bmodsync_[a-z0-9_]+/g) ?? []))].sort();
    expect(queried.filter((name) => !defined(source, name))).toEqual([]);
    // The check itself finds what is missing.
    expect(defined(source, 'modsync_no_such_metric_total')).toBe(false);
    expect(defined(source, 'modsync_registry_requests_total')).toBe(true);
  });

  it('covers sync latency and outcomes, pull errors, queue depth, registry requests, releases pending, reconcile errors', () => {
    const all = exprs.join('\n');
    for (const metric of [
      'modsync_sync_duration_seconds_bucket',
      'modsync_syncs_total',
      'modsync_source_pull_errors',
      'modsync_queue_jobs',
      'modsync_registry_requests_total',
      'modsync_releases',
      'modsync_pending_releases',
      'modsync_applier_reconcile_errors_total',
    ]) {
      expect(all).toMatch(new RegExp(`\\b${metric}\\b`));
    }
  });
});
