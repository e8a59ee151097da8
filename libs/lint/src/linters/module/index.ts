import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { Reporter } from '../../core/reporter.ts';
import { basename, dirname, exists, isDir, readText, readTextIfExists } from '../../fs/files.ts';
import { asArray, asRecord, asString, isRecord, parseYaml } from '../../fs/yaml.ts';
import { inDeckhouseRepo } from '../../module/git.ts';
import type { ModuleContext } from '../../module/module.ts';
import { HelmIgnore } from '../../parsers/glob.ts';
import { coerceVersion, minimalAllowedVersion, parseConstraint, startsAtLeast } from '@modsync/dkp/constraint';
import { checkDefinitionFile } from './definition.ts';
import { checkLicense } from './license.ts';
import { guard, ruleReporter } from '../linter.ts';
import type { Linter } from '../linter.ts';

const ID = 'module';

export const moduleLinter: Linter = {
  id: ID,
  description: 'Lint module rules',
  rules: [
    'definition-file',
    'oss',
    'conversions',
    'helmignore',
    'license',
    'requirements',
    'package-yaml',
    'module-package-consistency',
    'legacy-release-file',
    'enabled-script',
  ],
  run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const maybeIgnored = (rep: Reporter, setting: string): Reporter =>
      ctx.settings.disabled(ID, setting) ? rep.withMaxLevel('ignored') : rep;

    guard(r('definition-file'), 'module.yaml', () => {
      const text = readTextIfExists(join(ctx.path, 'module.yaml'));
      if (text === undefined) return;
      checkDefinitionFile(
        text,
        maybeIgnored(r('definition-file').withFile('module.yaml'), 'definition-file'),
        inDeckhouseRepo(ctx.path),
      );
    });
    guard(r('oss'), 'oss.yaml', () => checkOSS(ctx, maybeIgnored(r('oss'), 'oss')));
    guard(r('conversions'), 'openapi/config-values.yaml', () =>
      checkConversions(ctx, maybeIgnored(r('conversions'), 'conversions')),
    );
    guard(r('helmignore'), '.helmignore', () => checkHelmignore(ctx, maybeIgnored(r('helmignore'), 'helmignore')));
    checkLicense(ctx, r('license'));
    guard(r('requirements'), 'module.yaml', () => checkRequirements(ctx, r('requirements').withFile('module.yaml')));
    guard(r('package-yaml'), 'package.yaml', () => checkPackageYAML(ctx, r('package-yaml')));
    guard(r('module-package-consistency'), 'module.yaml', () => checkConsistency(ctx, r('module-package-consistency')));
    guard(r('legacy-release-file'), 'release.yaml', () => {
      if (exists(join(ctx.path, 'release.yaml'))) {
        r('legacy-release-file')
          .withFile('release.yaml')
          .error("Remove release.yaml. Version need to be defined in 'version.json'.");
      }
    });
    guard(r('enabled-script'), 'enabled', () => {
      const text = readTextIfExists(join(ctx.path, 'enabled'));
      if (text !== undefined && text.trim() !== '') {
        r('enabled-script').withFile('enabled').warn('The enabled-script mechanism is deprecated and must be removed.');
      }
    });
  },
};

// ---------------- oss ----------------

function checkOSS(ctx: ModuleContext, report: Reporter): void {
  if (!isDir(join(ctx.path, 'images'))) return;
  const rep = report.withFile('oss.yaml');
  const text = readTextIfExists(join(ctx.path, 'oss.yaml'));
  if (text === undefined) {
    rep.warn('module has images folder, so it likely should have oss.yaml');
    return;
  }
  let projects: unknown;
  try {
    projects = parseYaml(text);
  } catch (err) {
    rep.error(`invalid oss.yaml: ${(err as Error).message}`);
    return;
  }
  if (projects !== null && projects !== undefined && !Array.isArray(projects)) {
    rep.error(
      'invalid oss.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []rules.ossProject',
    );
    return;
  }
  const list = asArray(projects);
  if (list.length === 0) {
    rep.error('no projects described');
    return;
  }
  const known = new Set(['name', 'description', 'link', 'logo', 'license', 'id', 'version', 'versions']);
  for (const p of list) {
    for (const k of Object.keys(asRecord(p))) {
      if (!known.has(k)) {
        rep.error(`invalid oss.yaml: error unmarshaling JSON: while decoding JSON: json: unknown field "${k}"`);
        return;
      }
    }
  }
  const notSemverExcludes = asArray(ctx.settings.excludeMap(ID, 'oss')['version-not-semver'])
    .map((e) => asString(asRecord(e)['id']))
    .filter((s) => s !== '');
  const ids = new Map<string, number>();
  list.forEach((raw, idx) => {
    const i = idx + 1;
    const p = asRecord(raw);
    const id = asString(p['id']).trim();
    if (id !== '') {
      const prev = ids.get(id);
      if (prev !== undefined)
        rep
          .withObject(`index=#${i} (id=${id});`)
          .error(`id must be unique; duplicate id "${id}" already used by project #${prev}`);
      else ids.set(id, i);
    }
    let prefix = `#${i}`;
    if (id === '') rep.withObject(`index=${prefix};`).error('id must not be empty');
    else prefix = `#${i} (id=${asString(p['id'])})`;
    const obj = rep.withObject(`index=${prefix};`);
    const checkSemver = !notSemverExcludes.includes(id);
    const version = asString(p['version']).trim();
    const versions = asArray(p['versions']);
    if (version === '' && versions.length === 0) {
      obj.error(
        'version must not be empty. Please fill in the parameter and configure CI (werf files for module images) to use these setting.',
      );
    } else {
      if (version !== '' && checkSemver && coerceVersion(version) === undefined) {
        obj.warn(
          `version "${version}" is not semver-compatible; if this version is correct for the OSS project, ignore this warning: Invalid Semantic Version`,
        );
      }
      if (version !== '' && versions.length > 0) obj.error('version and versions must not be used together');
      versions.forEach((v, j) => {
        const vp = rep.withObject(`index=${prefix}.versions[${j}];`);
        const value = asString(asRecord(v)['version']).trim();
        if (value === '') {
          vp.error(
            'versions[].version must not be empty. Please fill in the parameter and configure CI (werf files for module images) to use these setting.',
          );
        } else if (checkSemver && coerceVersion(value) === undefined) {
          vp.warn(
            `versions[].version "${value}" is not semver-compatible; if this version is correct for the OSS project, ignore this warning: Invalid Semantic Version`,
          );
        }
      });
    }
    if (asString(p['name']).trim() === '') obj.error('name must not be empty');
    if (asString(p['description']).trim() === '') obj.error('description must not be empty');
    const link = asString(p['link']).trim();
    if (link === '') obj.error('link must not be empty');
    else if (!isRequestURI(asString(p['link']))) obj.error(`link URL is malformed ("${asString(p['link'])}")`);
    if (asString(p['license']).trim() === '') obj.error('License must not be empty');
    const logo = asString(p['logo']);
    if (logo.trim() !== '' && !isRequestURI(logo)) obj.error(`project logo URL is malformed ("${logo}")`);
  });
}

/** Go's url.ParseRequestURI: an absolute URL or an absolute path. */
function isRequestURI(s: string): boolean {
  if (s.startsWith('/')) return true;
  try {
    const u = new URL(s);
    return u.protocol !== '' && !/\s/.test(s);
  } catch {
    return false;
  }
}

// ---------------- conversions (module rule) ----------------

function checkConversions(ctx: ModuleContext, report: Reporter): void {
  const cfgPath = join(ctx.path, 'openapi', 'config-values.yaml');
  const text = readTextIfExists(cfgPath);
  if (text === undefined) return;
  let cv: unknown;
  try {
    cv = parseYaml(text);
  } catch (err) {
    report
      .withFile('openapi/config-values.yaml')
      .error(`Cannot decode config-values.yaml file: ${(err as Error).message}`);
    return;
  }
  const configVersion = Number(asRecord(cv)['x-config-version'] ?? 0) || 0;
  const folder = join(ctx.path, 'openapi', 'conversions');
  if (!isDir(folder)) {
    if (configVersion > 0) report.withFile('openapi/conversions').error('Conversions folder is not exist');
    return;
  }
  const versions: number[] = [];
  const re = /^v([1-9]\d{0,2})\.ya?ml$/;
  for (const f of ctx.tree.files) {
    if (!f.rel.startsWith('openapi/conversions/')) continue;
    const base = basename(f.rel);
    const m = re.exec(base);
    if (!m) continue;
    const rep = report.withFile(f.rel);
    let conv: Record<string, unknown>;
    try {
      conv = asRecord(parseYaml(readText(f.abs)));
    } catch (err) {
      report
        .withFile('openapi/conversions')
        .error(`CANNOT DECODE YAML "openapi/conversions": ${(err as Error).message}`.toUpperCase());
      continue;
    }
    const desc = conv['description'];
    if (!isRecord(desc)) rep.error(`Description is empty, filename: "${base}"`);
    else {
      if (asString(desc['ru']) === '') rep.error(`No description for conversion: russian, filename: "${base}"`);
      if (asString(desc['en']) === '') rep.error(`No description for conversion: english, filename: "${base}"`);
    }
    if (typeof conv['version'] !== 'number') {
      rep.error(`Version is empty, filename: "${base}"`);
      continue;
    }
    versions.push(conv['version']);
    if (conv['version'] !== Number(m[1]))
      rep.error(`File name "${base}" doesn't correspond with contained version ${conv['version']}`);
  }
  if (versions.length === 0) {
    if (configVersion > 0) report.error(`No versions in folder: "${folder}"`);
    return;
  }
  if (configVersion === 0) {
    report
      .withFile('openapi/config-values.yaml')
      .error('x-config-version is not set in config-values.yaml, but conversions exist');
    return;
  }
  versions.sort((a, b) => a - b);
  const latest = versions[versions.length - 1]!;
  if (configVersion !== latest) {
    report
      .withFile('openapi/config-values.yaml')
      .error(`x-config-version (${configVersion}) does not match latest conversion version (${latest})`);
  }
  if (versions[0] !== 2) report.error('You need to start with version number: 2');
  for (let i = 1; i < versions.length; i++) {
    if (versions[i]! - versions[i - 1]! > 1)
      report.error(`No sequential versions between ${versions[i]} and ${versions[i - 1]}`);
  }
}

// ---------------- helmignore ----------------

const TEMPLATE_EXCLUDES = new Set(['templates', 'charts', 'monitoring', 'Chart.yaml', 'values.yaml']);

function checkHelmignore(ctx: ModuleContext, report: Reporter): void {
  const rep = report.withFile('.helmignore');
  const path = join(ctx.path, '.helmignore');
  if (!exists(path)) {
    rep.error('File .helmignore is required in module root');
    return;
  }
  const raw = readText(path);
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) {
    rep.error('File .helmignore is empty or contains only comments');
    return;
  }
  for (const p of lines) {
    if (p.includes(' ')) rep.error(`Pattern contains spaces without quotes: ${JSON.stringify(p)}`);
    if (p === '*' || p === '**') rep.error(`Pattern is too broad and will exclude everything: ${JSON.stringify(p)}`);
    if (p.includes('templates/') && !p.startsWith('!'))
      rep.error(`Pattern might exclude Helm templates: ${JSON.stringify(p)}`);
    if (p.includes('Chart.yaml') && !p.startsWith('!'))
      rep.error(`Pattern might exclude Chart.yaml: ${JSON.stringify(p)}`);
  }
  let rules: HelmIgnore;
  try {
    rules = HelmIgnore.parse(raw).addDefaults();
  } catch (err) {
    rep.error(`Cannot parse .helmignore: ${(err as Error).message}`);
    return;
  }
  for (const name of readdirSync(ctx.path).sort()) {
    if (name === '.helmignore' || TEMPLATE_EXCLUDES.has(name)) continue;
    let dir: boolean;
    try {
      dir = statSync(join(ctx.path, name)).isDirectory();
    } catch (err) {
      rep.error(`Cannot stat '${name}': ${(err as Error).message}`);
      continue;
    }
    if (rules.ignores(name, dir)) continue;
    rep.warn(`${dir ? 'Directory' : 'File'} '${dir ? `${name}/` : name}' is not listed in .helmignore`);
  }
}

// ---------------- requirements ----------------

function readModuleYaml(ctx: ModuleContext): Record<string, unknown> | undefined {
  const text = readTextIfExists(join(ctx.path, 'module.yaml'));
  if (text === undefined) return undefined;
  return asRecord(parseYaml(text));
}

interface Check {
  name: string;
  description: string;
  minDeckhouse?: string;
  detect: (m: Record<string, unknown>) => boolean;
}

function deckhouseReq(m: Record<string, unknown>): string {
  return asString(asRecord(m['requirements'])['deckhouse']);
}

function goModsWithSDK(ctx: ModuleContext, minVersion: string): string[] {
  const out: string[] = [];
  for (const f of ctx.tree.files) {
    if (!f.rel.startsWith('hooks/') || basename(f.rel) !== 'go.mod' || f.symlink) continue;
    const text = readTextIfExists(f.abs) ?? '';
    const m = /github\.com\/deckhouse\/module-sdk\s+(v[0-9][^\s]*)/.exec(text);
    if (!m) continue;
    const v = m[1]!.replace(/^v/, '').split('-')[0]!;
    const [a, b, c] = v.split('.').map(Number);
    const [x, y, z] = minVersion.split('.').map(Number);
    const cmp = (a ?? 0) - (x ?? 0) || (b ?? 0) - (y ?? 0) || (c ?? 0) - (z ?? 0);
    if (cmp >= 0) out.push(dirname(f.rel));
  }
  return out;
}

function checkRequirements(ctx: ModuleContext, report: Reporter): void {
  let m: Record<string, unknown> | undefined;
  try {
    m = readModuleYaml(ctx);
  } catch (err) {
    report.error(`Cannot parse file "module.yaml": ${(err as Error).message}`);
    return;
  }
  if (!m) return;
  const weight = typeof m['weight'] === 'number' ? m['weight'] : 0;
  const critical = m['critical'] === true;
  const req = asRecord(m['requirements']);
  const checks: Check[] = [
    {
      name: 'stage',
      description: 'Stage usage requires minimum Deckhouse version',
      minDeckhouse: '1.68.0',
      detect: (mod) => asString(mod['stage']) !== '',
    },
    {
      name: 'go_hooks',
      description: 'Go hooks usage requires minimum Deckhouse version',
      minDeckhouse: '1.68.0',
      detect: () =>
        goModsWithSDK(ctx, '0.0.0').some((dir) =>
          ctx.tree.files.some(
            (f) =>
              f.rel.startsWith(`${dir}/`) && f.rel.endsWith('.go') && /\w+\.Run\(/.test(readTextIfExists(f.abs) ?? ''),
          ),
        ),
    },
    {
      name: 'optional_modules',
      description: 'Optional modules usage requires minimum Deckhouse version',
      minDeckhouse: '1.73.0',
      detect: () => Object.values(asRecord(req['modules'])).some((v) => asString(v).includes('!optional')),
    },
    {
      name: 'module_sdk_13',
      description: 'Module-SDK version >= 0.3.0 requires minimum Deckhouse version',
      minDeckhouse: '1.71.0',
      detect: () => goModsWithSDK(ctx, '0.3.0').length > 0,
    },
    {
      name: 'bootstrapped_deprecated',
      description: 'requirements.bootstrapped must be removed for Deckhouse >= 1.72.0',
      detect: () => req['bootstrapped'] === true && startsAtLeast(deckhouseReq(m!), '1.72.0'),
    },
    {
      name: 'weight_deprecated',
      description: 'weight must be removed for non-critical modules when Deckhouse >= 1.72.0',
      detect: () => weight > 0 && !critical && startsAtLeast(deckhouseReq(m!), '1.72.0'),
    },
    {
      name: 'weight_required',
      description:
        'external module weight must be between 900 and 999 for non-critical modules that support Deckhouse < 1.72.0',
      detect: () =>
        !critical &&
        deckhouseReq(m!) !== '' &&
        !startsAtLeast(deckhouseReq(m!), '1.72.0') &&
        (weight < 900 || weight > 999),
    },
  ];
  const lenient = inDeckhouseRepo(ctx.path);
  for (const check of checks) {
    if (!check.detect(m)) continue;
    if (!check.minDeckhouse) {
      report.error(`requirements [${check.name}]: ${check.description}`);
      continue;
    }
    if (lenient) continue;
    const d = deckhouseReq(m);
    if (d === '') {
      report.error(
        `requirements [${check.name}]: ${check.description}, deckhouse version range should start no lower than ${check.minDeckhouse}`,
      );
      continue;
    }
    let min: string | undefined;
    try {
      min = minimalAllowedVersion(parseConstraint(d));
    } catch {
      report.error(`requirements [${check.name}]: invalid deckhouse version constraint: ${d}`);
      continue;
    }
    if (min !== undefined && !startsAtLeast(`>=${min}`, check.minDeckhouse)) {
      report.error(
        `requirements [${check.name}]: ${check.description}, deckhouse version range should start no lower than ${check.minDeckhouse} (currently: ${min})`,
      );
    }
  }
}

// ---------------- package.yaml ----------------

function readPackage(ctx: ModuleContext): Record<string, unknown> | undefined {
  const text = readTextIfExists(join(ctx.path, 'package.yaml'));
  if (text === undefined) return undefined;
  return asRecord(parseYaml(text));
}

function checkPackageYAML(ctx: ModuleContext, report: Reporter): void {
  const rep = report.withFile('package.yaml');
  let pkg: Record<string, unknown> | undefined;
  try {
    pkg = readPackage(ctx);
  } catch (err) {
    rep.error(`Cannot parse file "package.yaml": ${(err as Error).message}`);
    return;
  }
  if (!pkg) return;
  if (asString(pkg['apiVersion']) === '') rep.error('package.yaml apiVersion is required');
  if (asString(pkg['name']) === '') rep.error('package.yaml name is required');
  const req = isRecord(pkg['requirements']) ? pkg['requirements'] : undefined;
  if (!req) return;
  const constraint = (v: unknown): string => asString(asRecord(v)['constraint']);
  const validate = (field: string, c: string): void => {
    if (c === '') return;
    try {
      parseConstraint(c);
    } catch (err) {
      rep.error(`Invalid package.yaml ${field} version constraint "${c}": ${(err as Error).message}`);
    }
  };
  validate('requirements.kubernetes.constraint', constraint(req['kubernetes']));
  validate('requirements.deckhouse.constraint', constraint(req['deckhouse']));
  const mods = asRecord(req['modules']);
  asArray(mods['mandatory']).forEach((m, i) =>
    validate(`requirements.modules.mandatory[${i}].constraint`, constraint(m)),
  );
  asArray(mods['conditional']).forEach((m, i) =>
    validate(`requirements.modules.conditional[${i}].constraint`, constraint(m)),
  );
  asArray(mods['anyOf']).forEach((a, i) =>
    asArray(asRecord(a)['modules']).forEach((m, j) =>
      validate(`requirements.modules.anyOf[${i}].modules[${j}].constraint`, constraint(m)),
    ),
  );
  const newSchema =
    constraint(req['kubernetes']) !== '' ||
    asArray(mods['mandatory']).length > 0 ||
    asArray(mods['conditional']).length > 0 ||
    asArray(mods['anyOf']).length > 0;
  if (!newSchema) return;
  const d = constraint(req['deckhouse']);
  if (d === '') {
    rep.error(
      'package.yaml requirements.deckhouse.constraint is required when new requirements schema is used and must start no lower than 1.77.0',
    );
    return;
  }
  let min: string | undefined;
  try {
    min = minimalAllowedVersion(parseConstraint(d));
  } catch {
    return;
  }
  if (min === undefined)
    rep.error('package.yaml requirements.deckhouse.constraint version range should start no lower than 1.77.0');
  else if (!startsAtLeast(`>=${min}`, '1.77.0')) {
    rep.error(
      `package.yaml requirements.deckhouse.constraint version range should start no lower than 1.77.0 (currently: ${min})`,
    );
  }
}

// ---------------- module-package-consistency ----------------

function patchModuleYaml(ctx: ModuleContext, edit: (doc: ReturnType<typeof parseDocument>) => void): () => void {
  return () => {
    const path = join(ctx.path, 'module.yaml');
    const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: false });
    edit(doc);
    writeFileSync(path, doc.toString());
  };
}

function checkConsistency(ctx: ModuleContext, report: Reporter): void {
  let mod: Record<string, unknown> | undefined;
  let pkg: Record<string, unknown> | undefined;
  try {
    mod = readModuleYaml(ctx);
  } catch (err) {
    report.withFile('module.yaml').error(`Cannot parse file "module.yaml": ${(err as Error).message}`);
    return;
  }
  try {
    pkg = readPackage(ctx);
  } catch (err) {
    report.withFile('package.yaml').error(`Cannot parse file "package.yaml": ${(err as Error).message}`);
    return;
  }
  if (!mod || !pkg) return;
  const modRep = report.withFile('module.yaml');
  const pkgRep = report.withFile('package.yaml');
  const name = asString(mod['name']);
  const pkgName = asString(pkg['name']);
  if (name !== '' && name !== pkgName) {
    modRep
      .withFix(patchModuleYaml(ctx, (d) => d.set('name', pkgName)))
      .error(`module.yaml name "${name}" does not match package.yaml name "${pkgName}"`);
  }
  const modReq = isRecord(mod['requirements']) ? mod['requirements'] : undefined;
  const pkgReq = isRecord(pkg['requirements']) ? pkg['requirements'] : undefined;
  for (const key of ['deckhouse', 'kubernetes'] as const) {
    const value = asString(modReq?.[key]).trim();
    if (!modReq || value === '') continue;
    const remove = patchModuleYaml(ctx, (d) => d.deleteIn(['requirements', key]));
    if (!pkgReq) {
      modRep
        .withFix(remove)
        .error(`module.yaml requirements.${key} is "${value}" but package.yaml has no requirements section`);
      continue;
    }
    const pc = asString(asRecord(pkgReq[key])['constraint']).trim();
    if (pc === '') {
      modRep
        .withFix(remove)
        .error(
          `module.yaml requirements.${key} is "${value}" but package.yaml requirements.${key}.constraint is empty`,
        );
    } else if (pc !== value) {
      modRep
        .withFix(patchModuleYaml(ctx, (d) => d.setIn(['requirements', key], pc)))
        .error(
          `module.yaml requirements.${key} "${value}" does not match package.yaml requirements.${key}.constraint "${pc}"`,
        );
    }
  }
  const setModule = (n: string, v: string) => patchModuleYaml(ctx, (d) => d.setIn(['requirements', 'modules', n], v));
  const removeModule = (n: string) => patchModuleYaml(ctx, (d) => d.deleteIn(['requirements', 'modules', n]));
  const optional = (c: string): string => (c === '' ? '!optional' : `!optional ${c}`);
  const pkgMods = asRecord(pkgReq?.['modules']);
  const listOf = (k: string): Map<string, string> =>
    new Map(
      asArray(pkgMods[k]).map((m) => [asString(asRecord(m)['name']), asString(asRecord(m)['constraint']).trim()]),
    );
  const pkgMandatory = listOf('mandatory');
  const pkgConditional = listOf('conditional');
  const parents = asRecord(modReq?.['modules']);
  if (!modReq || Object.keys(parents).length === 0) {
    if (pkgReq && (pkgMandatory.size > 0 || pkgConditional.size > 0)) {
      const noMods = !modReq || modReq['modules'] === undefined || modReq['modules'] === null;
      for (const [n, c] of pkgMandatory) {
        pkgRep
          .withFix(setModule(n, c))
          .error(
            noMods
              ? `package.yaml module "${n}" is mandatory but module.yaml has no requirements.modules`
              : `package.yaml module "${n}" is mandatory but not found in module.yaml requirements.modules`,
          );
      }
      for (const [n, c] of pkgConditional) {
        pkgRep
          .withFix(setModule(n, optional(c)))
          .error(
            noMods
              ? `package.yaml module "${n}" is conditional but module.yaml has no requirements.modules`
              : `package.yaml module "${n}" is conditional but not found in module.yaml requirements.modules`,
          );
      }
    }
    return;
  }
  if (!pkgReq) {
    for (const n of Object.keys(parents))
      modRep
        .withFix(removeModule(n))
        .error(`module.yaml module "${n}" has requirement but package.yaml has no requirements section`);
    return;
  }
  const modMandatory = new Map<string, string>();
  const modConditional = new Map<string, string>();
  for (const [n, raw] of Object.entries(parents)) {
    const c = asString(raw).trim();
    if (c.includes('!optional')) modConditional.set(n, c.replaceAll('!optional', '').trim());
    else modMandatory.set(n, c);
  }
  for (const [n, c] of modMandatory) {
    const pc = pkgMandatory.get(n);
    if (pc === undefined) {
      const cond = pkgConditional.get(n);
      if (cond !== undefined)
        modRep
          .withFix(setModule(n, optional(cond)))
          .error(`module.yaml module "${n}" is mandatory but package.yaml lists it as conditional`);
      else
        modRep
          .withFix(removeModule(n))
          .error(`module.yaml module "${n}" is mandatory but not found in package.yaml requirements.modules.mandatory`);
    } else if (c !== pc) {
      modRep
        .withFix(setModule(n, pc))
        .error(`module.yaml module "${n}" constraint "${c}" does not match package.yaml constraint "${pc}"`);
    }
  }
  for (const [n, c] of modConditional) {
    const pc = pkgConditional.get(n);
    if (pc === undefined) {
      const mand = pkgMandatory.get(n);
      if (mand !== undefined)
        modRep
          .withFix(setModule(n, mand))
          .error(`module.yaml module "${n}" is optional but package.yaml lists it as mandatory`);
      else
        modRep
          .withFix(removeModule(n))
          .error(
            `module.yaml module "${n}" is optional but not found in package.yaml requirements.modules.conditional`,
          );
    } else if (c !== pc) {
      modRep
        .withFix(setModule(n, optional(pc)))
        .error(`module.yaml module "${n}" constraint "${c}" does not match package.yaml constraint "${pc}"`);
    }
  }
  for (const [n, c] of pkgMandatory) {
    if (!modMandatory.has(n) && !modConditional.has(n))
      pkgRep
        .withFix(setModule(n, c))
        .error(`package.yaml module "${n}" is mandatory but not found in module.yaml requirements.modules`);
  }
  for (const [n, c] of pkgConditional) {
    if (!modConditional.has(n) && !modMandatory.has(n))
      pkgRep
        .withFix(setModule(n, optional(c)))
        .error(`package.yaml module "${n}" is conditional but not found in module.yaml requirements.modules`);
  }
}
