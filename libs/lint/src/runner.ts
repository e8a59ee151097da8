import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { FindingSink, Reporter } from './core/reporter.ts';
import type { Finding, LintResult } from './core/types.ts';
import { HelmRenderError } from './errors.ts';
import { clearTextCache, errorText } from './fs/files.ts';
import { findHelm, renderChart } from './module/helm.ts';
import { createContext, discoverModules, readModuleMeta, storeRendered } from './module/module.ts';
import type { ModuleContext } from './module/module.ts';
import { composeRenderValues, loadValuesSchema } from './module/values.ts';
import { containerLinter } from './linters/container.ts';
import { documentationLinter } from './linters/documentation.ts';
import { hooksLinter } from './linters/hooks.ts';
import { imagesLinter } from './linters/images.ts';
import { crashFinding } from './linters/linter.ts';
import type { Linter } from './linters/linter.ts';
import { moduleLinter } from './linters/module/index.ts';
import { noCyrillicLinter } from './linters/no-cyrillic.ts';
import { openapiLinter } from './linters/openapi.ts';
import { rbacLinter } from './linters/rbac.ts';
import { templatesLinter } from './linters/templates.ts';

/** The linters over rendered objects: they run once helm has rendered the chart. */
const RENDERED_LINTERS: readonly string[] = ['container', 'templates', 'rbac', 'hooks'];

/** DMT's linters, in DMT's order. */
export const LINTERS: readonly Linter[] = [
  openapiLinter,
  noCyrillicLinter,
  containerLinter,
  templatesLinter,
  imagesLinter,
  rbacLinter,
  hooksLinter,
  moduleLinter,
  documentationLinter,
];

export interface LintOptions {
  /**
   * The helm binary; `undefined` looks it up (MODSYNC_HELM, PATH, the build-helm.sh cache); `null` skips rendering.
   * @defaultValue undefined
   */
  helm?: string | null;
  /** Apply autofixes and leave fixed findings out. @defaultValue false */
  fix?: boolean;
  /** Run only these linters (by ID). @defaultValue all */
  linters?: readonly string[];
  /** The linters to run (DMT's by default; tests and extensions may pass their own). @defaultValue LINTERS */
  linterSet?: readonly Linter[];
  /** Modules linted at once. @defaultValue min(4, CPUs) */
  concurrency?: number;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

/** Lints every module found under `dir` with DMT's rules. Never throws for module content. */
export async function lint(dir: string, options: LintOptions = {}): Promise<LintResult> {
  const started = performance.now();
  const root = resolve(dir);
  const env = options.env ?? process.env;
  const helm = options.helm === undefined ? findHelm(env) : options.helm;
  const notes: string[] = [];
  if (!helm && options.helm === undefined) {
    notes.push(
      'helm not found (MODSYNC_HELM, PATH, or run test/env/build-helm.sh): charts were not rendered, object rules were skipped',
    );
  }
  const all = options.linterSet ?? LINTERS;
  const linters = options.linters ? all.filter((l) => options.linters!.includes(l.id)) : all;
  const sink = new FindingSink();
  const base = new Reporter(sink);
  const modules: LintResult['modules'] = [];
  const paths = discoverModules(root);
  clearTextCache();

  const lintOne = async (path: string): Promise<void> => {
    const meta = readModuleMeta(path);
    const defRep = base.withLinter('module').withRule('definition-file').withModule(meta.name).withFile(path);
    for (const w of meta.warnings) defRep.warn(w);
    for (const e of meta.errors) defRep.error(e);
    if (meta.errors.length > 0) return;
    if (meta.createError) {
      const dir = basename(path);
      base
        .withLinter('manager')
        .withModule(dir)
        .withFile(path)
        .withValue(meta.createError)
        .error(`cannot create module \`${dir}\``);
      return;
    }
    modules.push({ name: meta.name, path, namespace: meta.namespace });
    let ctx: ModuleContext;
    try {
      ctx = createContext(path, root, meta);
    } catch (err) {
      base
        .withLinter('manager')
        .withModule(meta.name)
        .withFile(path)
        .withValue(errorText(err))
        .error(`cannot create module \`${meta.name}\``);
      return;
    }
    const manager = base.withLinter('manager').withModule(ctx.name);
    for (const u of ctx.tree.unreadable)
      manager.withFile(u.rel).withValue(u.reason).warn(`cannot read \`${u.rel}\`: ${u.reason}; the rules skipped it`);
    const renderRep = base
      .withLinter('templates')
      .withRule('helm-render')
      .withModule(ctx.name)
      .withMaxLevel(ctx.settings.ruleLevel('templates', 'helm-render'));
    // helm renders while the linters that read files only run; the ones over rendered objects wait for it.
    let rendering: Promise<void> | undefined;
    if (linters.some((l) => RENDERED_LINTERS.includes(l.id))) {
      if (!helm) {
        if (options.helm === undefined)
          renderRep.warn(
            'helm not found: the chart was not rendered and rules over rendered objects were skipped (set MODSYNC_HELM, put helm on PATH, or run test/env/build-helm.sh)',
          );
      } else {
        rendering = renderInto(ctx, helm, manager, renderRep).catch((err: unknown) => {
          renderRep.error(`helm render failed: ${errorText(err)}`);
        });
      }
    }
    const ordered = [
      ...linters.filter((l) => !RENDERED_LINTERS.includes(l.id)),
      ...linters.filter((l) => RENDERED_LINTERS.includes(l.id)),
    ];
    for (const linter of ordered) {
      if (rendering && RENDERED_LINTERS.includes(linter.id)) {
        await rendering;
        rendering = undefined;
      }
      const rep = base.withLinter(linter.id).withModule(ctx.name).withMaxLevel(ctx.settings.linterLevel(linter.id));
      try {
        await linter.run(ctx, rep);
      } catch (err) {
        crashFinding(rep.withRule('internal'), undefined, err);
      }
    }
    await rendering;
  };

  const limit = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
  const queue = [...paths];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        try {
          await lintOne(p);
        } catch (err) {
          base.withLinter('manager').withFile(p).withValue(errorText(err)).error(`cannot lint module at ${p}`);
        }
      }
    }),
  );
  if (options.fix) await sink.applyFixes();
  clearTextCache();
  modules.sort((a, b) => a.path.localeCompare(b.path));
  return { root, modules, findings: sortFindings(sink.results()), durationMs: performance.now() - started, notes };
}

async function renderInto(ctx: ModuleContext, helm: string, manager: Reporter, renderRep: Reporter): Promise<void> {
  let values: Record<string, unknown>;
  try {
    const imageDirs = ctx.tree.dirs.filter((d) => /^images\/[^/]+$/.test(d)).map((d) => d.slice('images/'.length));
    values = composeRenderValues(ctx.name, loadValuesSchema(ctx.path), imageDirs);
  } catch (err) {
    manager.withFile(ctx.path).withValue(errorText(err)).error(`cannot create module \`${ctx.name}\``);
    return;
  }
  ctx.values = values;
  try {
    const res = await renderChart({ helm, modulePath: ctx.path, release: ctx.name, namespace: ctx.namespace, values });
    for (const d of res.dropped) {
      if (d.copy)
        manager
          .withFile(d.path)
          .withValue(d.cause)
          .warn(`template "${d.path}" was left out of the render (${d.cause}); the rest of the chart was still linted`);
      else
        manager
          .withFile(d.path)
          .withValue(d.cause)
          .warn(`template "${d.path}" failed to render and was skipped; the rest of the chart was still linted`);
    }
    const dups = storeRendered(ctx, res.objects);
    if (dups.length) manager.withFile(ctx.path).withValue(dups.join('\n')).error('module contains duplicate objects');
    ctx.rendered = true;
  } catch (err) {
    if (err instanceof HelmRenderError) renderRep.error(`helm render failed: ${err.message}`);
    else renderRep.error(`helm render failed: ${errorText(err)}`);
  }
}

const LEVEL_ORDER = { ignored: 0, warn: 1, error: 2, critical: 3 } as const;

/** DMT's print order: level, module, linter, rule (then file and line for stability). */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
      a.module.localeCompare(b.module) ||
      a.linter.localeCompare(b.linter) ||
      a.rule.localeCompare(b.rule) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}
