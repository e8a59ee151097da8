import semver from 'semver';
import type { Reporter } from '../../core/reporter.ts';
import { isRecord, parseYaml } from '../../fs/yaml.ts';
import { ConstraintError, parseConstraint, satisfiesConstraint } from '@modsync/dkp/constraint';

/** Shapes of module.yaml fields, for DMT's strict decode (unknown fields and wrong types are errors). */
type Shape =
  | 'string'
  | 'bool'
  | 'uint32'
  | { list: Shape }
  | { map: Shape }
  | { obj: Record<string, Shape>; name: string; inline?: boolean };

const DESCRIPTIONS: Shape = { name: 'ModuleDescriptions', obj: { en: 'string', ru: 'string' } };
const MODULE_SHAPE: Shape = {
  name: 'DeckhouseModule',
  obj: {
    name: 'string',
    critical: 'bool',
    namespace: 'string',
    weight: 'uint32',
    tags: { list: 'string' },
    subsystems: { list: 'string' },
    stage: 'string',
    description: 'string',
    exclusiveGroup: 'string',
    descriptions: DESCRIPTIONS,
    requirements: {
      name: 'ModuleRequirements',
      obj: { deckhouse: 'string', kubernetes: 'string', bootstrapped: 'bool', modules: { map: 'string' } },
    },
    accessibility: {
      name: 'ModuleAccessibility',
      obj: {
        editions: { map: { name: 'ModuleEdition', obj: { available: 'bool', enabledInBundles: { list: 'string' } } } },
      },
    },
    update: {
      name: 'ModuleUpdate',
      obj: { versions: { list: { name: 'ModuleUpdateVersion', obj: { from: 'string', to: 'string' } } } },
    },
    disable: {
      name: 'ModuleDisable',
      obj: {
        confirmation: 'bool',
        message: 'string',
        messages: { name: 'ModuleDisableMessages', obj: { en: 'string', ru: 'string' } },
      },
    },
  },
};

function jsType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isRecord(v)) return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Returns the first decode error, phrased like Go's encoding/json (as sigs.k8s.io/yaml reports it). */
function strictDecodeError(value: unknown, shape: Shape, path: string, owner: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const fail = (want: string): string =>
    `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsType(value)} into Go struct field ${owner}.${path} of type ${want}`;
  if (shape === 'string') return typeof value === 'string' ? undefined : fail('string');
  if (shape === 'bool') return typeof value === 'boolean' ? undefined : fail('bool');
  if (shape === 'uint32')
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff
      ? undefined
      : fail('uint32');
  if ('list' in shape) {
    if (!Array.isArray(value)) return fail('[]');
    for (const item of value) {
      const e = strictDecodeError(item, shape.list, path, owner);
      if (e) return e;
    }
    return undefined;
  }
  if ('map' in shape) {
    if (!isRecord(value)) return fail('map');
    for (const item of Object.values(value)) {
      const e = strictDecodeError(item, shape.map, path, owner);
      if (e) return e;
    }
    return undefined;
  }
  if (!isRecord(value)) return fail(shape.name);
  for (const [k, v] of Object.entries(value)) {
    const sub = shape.obj[k];
    if (!sub) return `error unmarshaling JSON: while decoding JSON: json: unknown field "${k}"`;
    const e = strictDecodeError(v, sub, path === '' ? k : `${path}.${k}`, owner);
    if (e) return e;
  }
  return undefined;
}

const STAGES = ['Experimental', 'Preview', 'General Availability', 'Deprecated'];
const VALID_EDITIONS = ['ce', 'fe', 'ee', 'se', 'se-plus', 'be', 'cse', '_default'];
const VALID_BUNDLES = ['Minimal', 'Managed', 'Default'];

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Whether `requirements.deckhouse` excludes every version below 1.77 (DMT: it rejects 1.76.999999). */
function guaranteesDeckhouse177(requirements: Record<string, unknown> | undefined): boolean {
  const d = str(requirements?.['deckhouse']);
  if (d === '') return false;
  try {
    return !satisfiesConstraint('1.76.999999', parseConstraint(d));
  } catch {
    return false;
  }
}

/** Masterminds' constraint error text, close enough to DMT's message. */
function constraintErr(input: string): string {
  try {
    parseConstraint(input);
    return '';
  } catch (err) {
    return err instanceof ConstraintError ? err.message : String(err);
  }
}

/**
 * The `definition-file` rule: module.yaml decodes strictly and has the required and well-formed fields.
 * `warnDescriptions` caps description findings at warn (modules of the deckhouse repositories).
 */
export function checkDefinitionFile(text: string, report: Reporter, warnDescriptions: boolean): void {
  let doc: unknown;
  try {
    doc = parseYaml(text, { version: '1.1' });
  } catch (err) {
    report.error(`Cannot parse file "module.yaml": ${(err as Error).message}`);
    return;
  }
  if (doc === null || doc === undefined) doc = {};
  const decodeErr = strictDecodeError(doc, MODULE_SHAPE, '', 'DeckhouseModule');
  if (decodeErr) {
    report.error(`Cannot parse file "module.yaml": ${decodeErr}`);
    return;
  }
  const yml = doc as Record<string, unknown>;
  const name = str(yml['name']);
  if (name === '') report.error("Field 'name' is required");
  if (name.length > 64) report.error("Field 'name' must not exceed 64 characters");
  const stage = str(yml['stage']);
  if (stage === '') report.error("Field 'stage' is required");
  if (stage !== '' && !STAGES.includes(stage))
    report.error(`Field 'stage' is not one of the following values: "${STAGES.join(', ')}"`);

  const req = isRecord(yml['requirements']) ? yml['requirements'] : undefined;
  if (req) {
    const d = str(req['deckhouse']);
    if (d !== '' && constraintErr(d)) report.error(`Invalid Deckhouse version requirement: ${constraintErr(d)}`);
    const k = str(req['kubernetes']);
    if (k !== '' && constraintErr(k)) report.error(`Invalid Kubernetes version requirement: ${constraintErr(k)}`);
    for (const [mod, ver] of Object.entries(isRecord(req['modules']) ? req['modules'] : {})) {
      const c = str(ver).replaceAll('!optional', '').trim();
      if (constraintErr(c)) report.error(`Invalid module "${mod}" version requirement: ${constraintErr(c)}`);
    }
  }
  if (isRecord(yml['accessibility'])) checkAccessibility(yml['accessibility'], report);
  if (isRecord(yml['update'])) checkUpdate(yml['update'], report);

  const descReport = warnDescriptions ? report.withMaxLevel('warn') : report;
  if (str(isRecord(yml['descriptions']) ? yml['descriptions']['en'] : undefined) === '')
    descReport.error('Module `descriptions.en` field is required');
  if (str(yml['description']) !== '')
    descReport.error("Field 'description' is deprecated, use 'descriptions.en' instead");

  if (isRecord(yml['disable'])) {
    const dis = yml['disable'];
    const msgs = isRecord(dis['messages']) ? dis['messages'] : {};
    const hasMessage = str(dis['message']) !== '';
    const hasRu = str(msgs['ru']) !== '';
    const hasEn = str(msgs['en']) !== '';
    const guaranteed = guaranteesDeckhouse177(req);
    if (hasMessage && guaranteed) {
      report.error(
        "Field 'disable.message' must be removed on Deckhouse >= v1.77; use 'disable.messages' (with 'ru'/'en') instead",
      );
    }
    if (hasRu || hasEn) {
      if (!hasRu || !hasEn) report.error("Field 'disable.messages' must define both 'ru' and 'en'");
      if (!guaranteed && !hasMessage) {
        report.error(
          "Field 'disable.messages' is not read on Deckhouse < v1.77; add a 'disable.message' fallback or require 'requirements.deckhouse' >= v1.77",
        );
      }
      if (hasMessage && !guaranteed) {
        report.warn(
          "Field 'disable.message' is a Deckhouse < v1.77 fallback and must be removed once 'requirements.deckhouse' is pinned to >= v1.77 (only 'disable.messages' is read there)",
        );
      }
    }
  }
  if (yml['critical'] === true && (yml['weight'] === undefined || yml['weight'] === 0))
    report.error("Field 'weight' must not be zero for critical modules");
}

function checkAccessibility(acc: Record<string, unknown>, report: Reporter): void {
  const editions = isRecord(acc['editions']) ? acc['editions'] : {};
  if (Object.keys(editions).length === 0) {
    report.error("Field 'accessibility.editions' is required when 'accessibility' is specified");
    return;
  }
  for (const [edition, spec] of Object.entries(editions)) {
    if (!VALID_EDITIONS.includes(edition))
      report.error(`Invalid edition name "${edition}". Must be one of: ${VALID_EDITIONS.join(', ')}`);
    const bundles = isRecord(spec) && Array.isArray(spec['enabledInBundles']) ? spec['enabledInBundles'] : [];
    for (const b of bundles) {
      if (!VALID_BUNDLES.includes(str(b)))
        report.error(
          `Invalid bundle "${str(b)}" for edition "${edition}". Must be one of: ${VALID_BUNDLES.join(', ')}`,
        );
    }
  }
}

function checkUpdate(update: Record<string, unknown>, report: Reporter): void {
  const versions = (Array.isArray(update['versions']) ? update['versions'] : []).map((v) => ({
    from: str(isRecord(v) ? v['from'] : ''),
    to: str(isRecord(v) ? v['to'] : ''),
  }));
  if (versions.length === 0) return;
  const mm = /^\d+\.\d+$/;
  versions.forEach((v, i) => {
    if (v.from === '') return report.error(`Version entry at index ${i}: field 'from' is required`);
    if (v.to === '') return report.error(`Version entry at index ${i}: field 'to' is required`);
    if (!mm.test(v.from))
      return report.error(
        `Version entry at index ${i}: 'from' version '${v.from}' must be in major.minor format (patch versions not allowed)`,
      );
    if (!mm.test(v.to))
      return report.error(
        `Version entry at index ${i}: 'to' version '${v.to}' must be in major.minor format (patch versions not allowed)`,
      );
    if (!semver.gt(`${v.to}.0`, `${v.from}.0`)) {
      report.error(
        `Version entry at index ${i}: 'to' version '${v.to}' must be greater than 'from' version '${v.from}'`,
      );
    }
  });
  const key = (s: string): string => (mm.test(s) ? `${s}.0` : '0.0.0');
  const sorted = [...versions].sort(
    (a, b) => semver.compare(key(a.from), key(b.from)) || semver.compare(key(a.to), key(b.to)),
  );
  if (versions.length > 1 && sorted.some((v, i) => v.from !== versions[i]!.from || v.to !== versions[i]!.to)) {
    report.error("Update versions must be sorted by 'from' version ascending, then by 'to' version ascending");
  }
  const byTo = new Map<string, string[]>();
  for (const v of versions) if (v.from !== '' && v.to !== '') byTo.set(v.to, [...(byTo.get(v.to) ?? []), v.from]);
  for (const [to, froms] of byTo) {
    if (froms.length > 1)
      report.error(
        `Duplicate 'to' version '${to}' with different 'from' versions: ${froms.sort().join(', ')}. Use the earliest 'from' version instead`,
      );
  }
}
