import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from '../core/reporter.ts';
import { stringList } from '../config/settings.ts';
import { basename, exists, readText, readYaml } from '../fs/files.ts';
import { asRecord, isRecord, parseYaml, tryParseYaml } from '../fs/yaml.ts';
import { checkCel, loadCel } from '../parsers/cel.ts';
import { guard, guardAsync, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'openapi';

/** Walks a parsed OpenAPI document like DMT's openapi.Parse: every nested key as `a.b.c`, with its value. */
function walkKeys(data: Record<string, unknown>, visit: (key: string, value: unknown) => string | undefined): string[] {
  const errs: string[] = [];
  const value = (upper: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((item, i) => value(`${upper}[${i}]`, item));
    else if (isRecord(v)) {
      for (const [k, child] of Object.entries(v)) {
        const abs = `${upper}.${k}`;
        const e = visit(abs, child);
        if (e) errs.push(e);
        value(abs, child);
      }
    }
  };
  for (const [k, v] of Object.entries(data)) value(k, v);
  return errs;
}

/** A file's first YAML document, or the error parsing it (DMT parses openapi files strictly). */
type Parsed = { value: unknown } | { error: Error };

function parseText(text: string): Parsed {
  try {
    return { value: parseYaml(text) };
  } catch (error) {
    return { error: error as Error };
  }
}

/** CRDs of other groups than deckhouse.io are skipped. */
function openAPIData(parsed: Parsed): Record<string, unknown> | undefined {
  if ('error' in parsed) throw parsed.error;
  const data = asRecord(parsed.value);
  if (data['kind'] === 'CustomResourceDefinition') {
    const name = String(asRecord(data['metadata'])['name'] ?? '');
    if (!name.endsWith('deckhouse.io')) return undefined;
  }
  return data;
}

function enumErrors(data: Record<string, unknown>, excludes: Set<string>): string[] {
  return walkKeys(data, (key, value) => {
    if (!key.endsWith('.enum') && key !== 'enum') return undefined;
    if (excludes.has(key)) return undefined;
    const idx = /\[\d+\]/.exec(key);
    if (idx && excludes.has(key.replaceAll(idx[0], '*'))) return undefined;
    const values = Array.isArray(value) ? value : [];
    const errs: string[] = [];
    for (const v of values) {
      if (typeof v !== 'string' || v === '') continue;
      const chars = [...v];
      const first = chars[0]!;
      if (/\p{L}/u.test(first) && !/\p{Lu}/u.test(first)) {
        errs.push(`enum '${key}' is invalid: value '${v}' must start with Capital letter`);
        continue;
      }
      const bad = chars.some(
        (c, i) => !(/\p{L}/u.test(c) || /\p{N}/u.test(c) || (c === '.' && i !== 0 && /\p{N}/u.test(chars[i - 1]!))),
      );
      if (bad) errs.push(`enum '${key}' is invalid: value: '${v}' must be in CamelCase`);
    }
    return errs.length ? errs.join('\n') : undefined;
  });
}

function haErrors(data: Record<string, unknown>, excludes: string[]): string[] {
  return walkKeys(data, (key, value) => {
    if (excludes.includes(key) || key !== 'properties.highAvailability') return undefined;
    if (!isRecord(value)) return `possible Bug? Have to be a map. Type: ${typeof value}, Value: ${String(value)}`;
    return 'default' in value ? `${key} is invalid: must have no default value` : undefined;
  });
}

function bannedKeyErrors(data: Record<string, unknown>, banned: string[]): string[] {
  if (banned.length === 0) return [];
  return walkKeys(data, (key, value) => {
    if (!key.endsWith('.enum')) return undefined;
    for (const item of Array.isArray(value) ? value : []) {
      if (typeof item === 'string' && banned.includes(item)) return `${item} is invalid name for property ${item}`;
    }
    return undefined;
  });
}

function isOpenAPIFile(rel: string): boolean {
  const base = basename(rel);
  return /^openapi\/.*\.ya?ml$/.test(rel) && !base.endsWith('-tests.yaml') && !base.startsWith('doc-ru-');
}

function isCRDFile(rel: string): boolean {
  const base = basename(rel);
  return /^crds\/.*\.ya?ml$/.test(rel) && !base.endsWith('-tests.yaml') && !base.startsWith('doc-ru-');
}

export const openapiLinter: Linter = {
  id: ID,
  description: 'Linter will check openapi values is correct',
  rules: ['enum', 'high-availability', 'keys', 'deckhouse-crds', 'bilingual', 'doc-ru-yaml', 'deckhouse-validations'],
  async run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const enumExcludes = new Set(stringList(ctx.settings.excludes(ID, 'enum')).map((e) => `${e}.enum`));
    const haExcludes = stringList(ctx.settings.excludes(ID, 'ha-absolute-keys'));
    const banned = stringList(ctx.settings.excludes(ID, 'key-banned-names'));
    const crdExcludes = stringList(ctx.settings.excludes(ID, 'crd-names'));

    const files = ctx.tree.files.filter((f) => !f.symlink);
    const checkEnumHA = (rel: string, abs: string, parse: () => Parsed, withKeys: boolean): void => {
      let data: Record<string, unknown> | undefined;
      try {
        data = openAPIData(parse());
      } catch (err) {
        const msg = `openAPI file is not valid:\nfailed to get content of \`${abs}\`: ${(err as Error).message}`;
        r('enum').withFile(rel).error(msg);
        r('high-availability').withFile(rel).error(msg);
        if (withKeys) r('keys').withFile(rel).error(msg);
        return;
      }
      if (!data) return;
      const ee = enumErrors(data, enumExcludes);
      if (ee.length)
        r('enum')
          .withFile(rel)
          .error(`openAPI file is not valid:\n${ee.join('\n')}`);
      const he = haErrors(data, haExcludes);
      if (he.length)
        r('high-availability')
          .withFile(rel)
          .error(`openAPI file is not valid:\n${he.join('\n')}`);
      if (withKeys) {
        const ke = bannedKeyErrors(data, banned);
        if (ke.length) r('keys').withFile(rel).error(`openAPI file is not valid:\n${ke[0]}`);
      }
    };
    // An openapi file is parsed once a run (readYaml: the values schema reads it too).
    const readOpenAPI = (abs: string): Parsed => {
      try {
        return { value: readYaml(abs) };
      } catch (error) {
        return { error: error as Error };
      }
    };
    for (const f of files.filter((x) => isOpenAPIFile(x.rel))) {
      guard(r('enum').withFile(f.rel), f.rel, () => checkEnumHA(f.rel, f.abs, () => readOpenAPI(f.abs), false));
      await guardAsync(r('deckhouse-validations').withFile(f.rel), f.rel, async () => {
        if (readText(f.abs).includes('x-deckhouse-validations')) await loadCel();
        checkValidations(readOpenAPI(f.abs), r('deckhouse-validations').withFile(f.rel));
      });
    }
    // A CRD file is parsed here only, once for both rules (not kept for the run: CRDs are the largest files).
    for (const f of files.filter((x) => isCRDFile(x.rel))) {
      let parsed: Parsed | undefined;
      const parseFile = (): Parsed => (parsed ??= parseText(readText(f.abs)));
      guard(r('enum').withFile(f.rel), f.rel, () => checkEnumHA(f.rel, f.abs, parseFile, true));
      guard(r('deckhouse-crds').withFile(f.rel), f.rel, () =>
        checkCRD(ctx.name, f.rel, readText(f.abs), parsed, crdExcludes, r('deckhouse-crds')),
      );
    }
    // bilingual: top-level crds/*.yaml only
    const crdsDir = join(ctx.path, 'crds');
    let crdNames: string[] = [];
    try {
      crdNames = readdirSync(crdsDir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name);
    } catch {
      crdNames = [];
    }
    for (const name of crdNames.sort()) {
      if (!/\.ya?ml$/.test(name) || name.endsWith('-tests.yaml')) continue;
      const rel = `crds/${name}`;
      const rep = r('bilingual').withFile(rel);
      if (name.startsWith('doc-ru-')) {
        const base = name.slice('doc-ru-'.length);
        if (!exists(join(crdsDir, base)))
          rep.error(`translation file has no corresponding base file: expected "${base}"`);
      } else if (!exists(join(crdsDir, `doc-ru-${name}`))) {
        rep.error(`translation file is missing: expected "doc-ru-${name}" in the same directory`);
      }
    }
    for (const f of files.filter(
      (x) => /^(openapi|crds)\/doc-ru-.*\.ya?ml$/.test(x.rel) && !x.rel.endsWith('-tests.yaml'),
    )) {
      guard(r('doc-ru-yaml').withFile(f.rel), f.rel, () => {
        const [, err] = tryParseYaml(readText(f.abs));
        if (err) r('doc-ru-yaml').withFile(f.rel).error(`doc-ru file is not valid YAML:\n${err.message}`);
      });
    }
  },
};

/**
 * Whether the file's own parse stands for the parse of its one `---`-separated part (`text.trim()`): a file that
 * parsed, does not start with white space (it would move or re-indent lines) and keeps no trailing line breaks in a
 * block scalar (`|+`, `>+`) reads the same without its trailing white space.
 */
function sameAsPart(text: string, parts: readonly string[], parsed: Parsed | undefined): parsed is { value: unknown } {
  if (parsed === undefined || 'error' in parsed || parts.length !== 1) return false;
  return text.trimStart() === text && !/[|>][1-9]?\+/.test(text);
}

function checkCRD(
  moduleName: string,
  rel: string,
  text: string,
  parsed: Parsed | undefined,
  excludes: string[],
  report: Reporter,
): void {
  const parts = text.trim().split(/(?:^|\s*\n)---\s*/);
  const whole = sameAsPart(text, parts, parsed) ? parsed.value : undefined;
  for (const doc of parts) {
    let crd: Record<string, unknown>;
    try {
      crd = asRecord(whole ?? parseYaml(doc));
    } catch (err) {
      report.error(`Can't parse manifests in crds folder: ${(err as Error).message}`);
      continue;
    }
    const meta = asRecord(crd['metadata']);
    const name = String(meta['name'] ?? '');
    if (!name.includes('deckhouse.io')) continue;
    const kind = String(crd['kind'] ?? '');
    const obj = report.withObject(`kind = ${kind} ; name = ${name}`).withFile(rel);
    const apiVersion = String(crd['apiVersion'] ?? '');
    if (apiVersion !== 'apiextensions.k8s.io/v1') {
      obj.withValue(apiVersion).error('CRD specified using deprecated api version, wanted "apiextensions.k8s.io/v1"');
    }
    if (excludes.includes(name)) continue;
    const labels = asRecord(meta['labels']);
    if (!('module' in labels))
      obj.withValue(`module = ${moduleName}`).error(`CRD should contain "module = ${moduleName}" label`);
    else if (labels['module'] !== moduleName) {
      obj
        .withValue(`module = ${String(labels['module'])}`)
        .error(`CRD should contain "module = ${moduleName}" label, but got "module = ${String(labels['module'])}"`);
    }
    const props: Record<string, unknown> = {};
    for (const v of Array.isArray(asRecord(crd['spec'])['versions'])
      ? (asRecord(crd['spec'])['versions'] as unknown[])
      : []) {
      Object.assign(props, asRecord(asRecord(asRecord(asRecord(v)['schema'])['openAPIV3Schema'])['properties']));
    }
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (isRecord(node)) {
        if ('deprecated' in node) {
          obj
            .withValue(`deprecated: present at path ${path}`)
            .error(`CRD contains "deprecated" key at path "${path}", use "x-doc-deprecated: true" instead`);
        }
        for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
      }
    };
    if (Object.keys(props).length) walk(props, 'spec.versions[].schema.openAPIV3Schema.properties');
  }
}

function yamlKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (v === null || v === undefined) return 'null';
  return 'a scalar';
}

/** The `deckhouse-validations` rule: x-deckhouse-validations entries compile as CEL; x-kubernetes-validations is flagged. */
function checkValidations(parsed: Parsed, report: Reporter): void {
  if ('error' in parsed || !isRecord(parsed.value)) return;
  const data = parsed.value;
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
    else if (isRecord(node)) {
      for (const [key, child] of Object.entries(node)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key === 'x-deckhouse-validations') {
          checkValidationList(childPath, child, report);
          continue;
        }
        if (key === 'x-kubernetes-validations') {
          report.warn(
            `"x-kubernetes-validations" at "${childPath}" is not honored in a module openapi schema (deckhouse-controller validates module config with "x-deckhouse-validations"); did you mean "x-deckhouse-validations"?`,
          );
          continue;
        }
        walk(child, childPath);
      }
    }
  };
  walk(data, '');
}

function checkValidationList(path: string, raw: unknown, report: Reporter): void {
  if (!Array.isArray(raw)) {
    report.warn(
      `"x-deckhouse-validations" at "${path}" must be a list of {expression, message} entries, got ${yamlKind(raw)}`,
    );
    return;
  }
  if (raw.length === 0) {
    report.warn(`"x-deckhouse-validations" at "${path}" must contain at least one {expression, message} entry`);
    return;
  }
  raw.forEach((entry, i) => {
    const entryPath = `${path}[${i}]`;
    if (!isRecord(entry) || Object.keys(entry).length === 0) {
      report.warn(
        `"x-deckhouse-validations" entry at "${entryPath}" must be a non-empty mapping with "expression" and "message" fields`,
      );
      return;
    }
    const expr =
      typeof entry['expression'] === 'string' && entry['expression'] !== '' ? entry['expression'] : undefined;
    if (expr === undefined)
      report.warn(`"x-deckhouse-validations" entry at "${entryPath}" must have a non-empty string "expression" field`);
    if (!(typeof entry['message'] === 'string' && entry['message'] !== '')) {
      report.warn(`"x-deckhouse-validations" entry at "${entryPath}" must have a non-empty string "message" field`);
    }
    if (expr !== undefined) {
      const problem = checkCel(expr, ['self', 'oldSelf']);
      if (problem)
        report.warn(`"x-deckhouse-validations" expression at "${entryPath}" is not a valid CEL expression: ${problem}`);
    }
  });
}
