import { dirname as pathDirname, join, resolve } from 'node:path';
import type { Reporter } from '../core/reporter.ts';
import { stringList } from '../config/settings.ts';
import { basename, dirname, isFile, readText } from '../fs/files.ts';
import { asRecord, asString, tryParseYaml } from '../fs/yaml.ts';
import type { ModuleContext } from '../module/module.ts';
import { renderWerfTemplate } from '../parsers/go-template.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'images';

const UNACCEPTABLE: Record<string, RegExp> = {
  $BASE_ALPINE: /^(from:|FROM)(\s+)(alpine:[\d.]+)/,
  $BASE_GOLANG_ALPINE: /^(from:|FROM)(\s+)(golang:1.15.[\d.]+-alpine3.12)/,
  $BASE_GOLANG_16_ALPINE: /^(from:|FROM)(\s+)(golang:1.16.[\d.]+-alpine3.12)/,
  $BASE_GOLANG_BUSTER: /^(from:|FROM)(\s+)(golang:1.15.[\d.]+-buster)/,
  $BASE_GOLANG_16_BUSTER: /^(from:|FROM)(\s+)(golang:1.16.[\d.]+-buster)/,
  $BASE_NGINX_ALPINE: /^(from:|FROM)(\s+)(nginx:[\d.]+-alpine)/,
  $BASE_PYTHON_ALPINE: /^(from:|FROM)(\s+)(python:[\d.]+-alpine)/,
  $BASE_UBUNTU: /^(from:|FROM)(\s+)(ubuntu:[\d.]+)/,
  $BASE_JEKYLL: /^(from:|FROM)(\s+)(jekyll\/jekyll:[\d.]+)/,
  $BASE_SCRATCH: /^(from:|FROM)(\s+)(scratch:[\d.]+)/,
};

/** Finds the nearest werf.yaml from the module directory upward. */
function findWerfFile(modulePath: string): string | undefined {
  let dir = resolve(modulePath);
  for (;;) {
    const f = join(dir, 'werf.yaml');
    if (isFile(f)) return f;
    const parent = pathDirname(dir);
    if (parent === dir || parent === '/') return undefined;
    dir = parent;
  }
}

export const imagesLinter: Linter = {
  id: ID,
  description: 'Lint docker images',
  rules: ['dockerfile', 'distroless', 'werf', 'patches'],
  run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const skipPrefixes = stringList(ctx.settings.excludes(ID, 'skip-distroless-file-path-prefix'));
    const dockerfiles = ctx.tree.files.filter((f) => f.rel.startsWith('images/') && basename(f.rel) === 'Dockerfile');
    for (const f of dockerfiles) {
      const rel = f.rel.slice('images/'.length);
      const skipped = skipPrefixes.some((p) => rel.startsWith(p));
      guard(r('dockerfile').withFile(rel), rel, () => {
        const text = readText(f.abs);
        const lines = text.split('\n');
        if (!skipped) {
          lines.forEach((line, i) => {
            for (const [variable, re] of Object.entries(UNACCEPTABLE)) {
              if (re.test(line))
                r('dockerfile')
                  .withFile(rel)
                  .withObject(`image = ${rel}`)
                  .withLine(i + 1)
                  .error(`Please use ${variable} as an image name`);
            }
          });
        }
        const froms = lines.filter((l) => l.startsWith('FROM ')).map((l) => l.slice(5));
        froms.forEach((from, i) => {
          if (skipped) {
            r('distroless')
              .withFile(rel)
              .withObject(`image = ${rel} ; value - ${from}`)
              .warn('WARNING!!! SKIP DISTROLESS CHECK!!!');
            return;
          }
          if (from === 'scratch') return;
          if (i === froms.length - 1) {
            const s = from.replace(/^\$\.Images\./, '').replace(/^\.Images\./, '');
            if (!s.startsWith('$BASE_DISTROLESS') && !s.startsWith('$BASE_ALT')) {
              r('distroless')
                .withFile(rel)
                .withValue(from)
                .error('Last `FROM` instruction should use one of our $BASE_DISTROLESS images');
            }
          } else if (!from.startsWith('$BASE_') && !/@sha256:[A-Fa-f0-9]{64}/.test(from)) {
            r('distroless')
              .withFile(rel)
              .withValue(from)
              .error(
                'Intermediate `FROM` instructions should use one of our $BASE_ images or have `@sha256:` checksum specified',
              );
          }
        });
      });
    }
    let werfRep = r('werf');
    if (ctx.settings.disabled(ID, 'werf')) werfRep = werfRep.withMaxLevel('ignored');
    guard(werfRep, 'werf.yaml', () => checkWerf(ctx, werfRep));
    let patchRep = r('patches');
    if (ctx.settings.disabled(ID, 'patches')) patchRep = patchRep.withMaxLevel('ignored');
    guard(patchRep, undefined, () => checkPatches(ctx, patchRep));
  },
};

function checkWerf(ctx: ModuleContext, report: Reporter): void {
  const werfFile = findWerfFile(ctx.path);
  if (!werfFile) return;
  let rendered: string;
  try {
    rendered = renderWerfTemplate(readText(werfFile), {
      Env: process.env['WERF_ENV'] ?? 'EE',
      Commit: { Hash: 'hash' },
    });
  } catch {
    // A werf.yaml that cannot be evaluated offline is not linted (DMT fails the module creation instead).
    return;
  }
  const docs =
    rendered.trim() === ''
      ? []
      : rendered
          .trim()
          .split(/(?:^|\s*\n)---\s*/)
          .map((d) => d.trim())
          .filter((d) => d !== '');
  docs.forEach((doc, i) => {
    const obj = report.withObject(`werf.yaml:manifest-${i + 1}`);
    const [value, err] = tryParseYaml(doc);
    if (err) {
      obj.withValue('yaml_error').error(`Invalid YAML document: ${err.message}`);
      return;
    }
    const w = asRecord(value);
    const parts = asString(w['image']).split('/');
    if (parts.length < 2 || parts[0] !== ctx.name) return;
    const fromImage = asString(w['fromImage']).trim();
    if (fromImage === '') return;
    if (asString(w['artifact']) !== '') {
      obj
        .withValue(`artifact: ${asString(w['artifact'])}`)
        .error('Use `from:` or `fromImage:` and `final: false` directives instead of `artifact:` in the werf file');
    }
    if (w['final'] === false) return;
    const fp = fromImage.split('/');
    let problem: string | undefined;
    if (fp.length < 2) problem = `image should be in format \`base/<name>\`, got "${fromImage}"`;
    else if (fp[0] !== 'base' && fp[0] !== 'common') problem = `image must start with \`base/\`, got "${fromImage}"`;
    if (problem) {
      (ctx.name === 'terraform-manager' ? obj.withMaxLevel('ignored') : obj)
        .withValue(`fromImage: ${fromImage}`)
        .error(`Invalid \`fromImage:\` value - ${problem}`);
    }
    const user = asString(asRecord(asRecord(w['imageSpec'])['config'])['user']);
    if (user !== '') {
      const o = obj.withValue(`imageSpec.config.user: ${user}`);
      if (ctx.name !== 'istio' && ctx.name !== 'ingress-nginx')
        o.error('`imageSpec.config.user:` parameter should be empty');
      else o.warn('`imageSpec.config.user:` parameter should be empty');
    }
  });
}

function checkPatches(ctx: ModuleContext, report: Reporter): void {
  const patches = ctx.tree.files.filter((f) => f.rel.endsWith('.patch'));
  const dirs = [...new Set(patches.map((f) => dirname(f.rel)))];
  for (const dir of dirs) {
    if (!/^images\/[\w/\-.]*\/patches.*$/.test(dir))
      report.withFile(dir).error('Patch file should be in `images/<image_name>/patches/` directory');
    if (!ctx.files.has(`${dir}/README.md`))
      report.withFile(dir).error('Patch file should have a corresponding README file');
  }
  for (const f of patches) {
    const base = basename(f.rel);
    if (!/^\d{3}-.*\.patch$/.test(base))
      report.withFile(f.rel).error('Patch file name should match pattern `XXX-<patch-name>.patch`');
    const readme = ctx.files.get(`${dirname(f.rel)}/README.md`);
    if (readme) {
      guard(report.withFile(f.rel), f.rel, () => {
        if (!readText(readme.abs).includes(`# ${base}`))
          report.withFile(f.rel).error(`README.md file does not contain # ${base}`);
      });
    }
  }
}
