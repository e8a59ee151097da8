import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LintSettings } from '../config/settings.ts';
import { exists, isDir, readTextIfExists, walkTree } from '../fs/files.ts';
import type { FileEntry, Tree } from '../fs/files.ts';
import { asRecord, asString, isRecord, tryParseYaml } from '../fs/yaml.ts';
import { ObjectStore, StoreObject } from './objects.ts';

/** Everything a linter sees of one module. */
export interface ModuleContext {
  name: string;
  namespace: string;
  /** Absolute module path. */
  path: string;
  /** The lint root the user passed. */
  root: string;
  tree: Tree;
  settings: LintSettings;
  store: ObjectStore;
  /** Whether the chart was rendered (helm found and the render did not fail as a whole). */
  rendered: boolean;
  /** The values the chart was rendered with. */
  values: Record<string, unknown>;
  /** Files keyed by path relative to the module. */
  files: Map<string, FileEntry>;
}

function filesByRel(tree: Tree): Map<string, FileEntry> {
  return new Map(tree.files.map((f) => [f.rel, f]));
}

/**
 * Finds module directories under a root, as DMT does: a directory with module.yaml, or with Chart.yaml and
 * one of hooks/, images/, openapi/. `.git` and symlinked directories are not descended.
 */
export function discoverModules(root: string): string[] {
  const out: string[] = [];
  let budget = 100_000;
  const visit = (dir: string): void => {
    if (--budget < 0) return;
    if (
      exists(join(dir, 'module.yaml')) ||
      (exists(join(dir, 'Chart.yaml')) &&
        (exists(join(dir, 'hooks')) || exists(join(dir, 'images')) || exists(join(dir, 'openapi'))))
    ) {
      out.push(dir);
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isDirectory() && e.name !== '.git' && e.name !== 'node_modules') visit(join(dir, e.name));
    }
  };
  visit(resolve(root));
  return out;
}

export interface ModuleMeta {
  name: string;
  namespace: string;
  /** Problems that stop the module from being linted (DMT's validateModule errors). */
  errors: string[];
  /** Problems reported but not blocking. */
  warnings: string[];
  /** Why the module passed validation but cannot be created (DMT's NewModule error: a `manager` finding). */
  createError?: string;
}

interface NameFile {
  name: string;
  namespace?: string;
  version?: string;
}

function parseNameFile(text: string): NameFile {
  const [value, err] = tryParseYaml(text);
  if (err) throw err;
  const r = asRecord(value);
  const out: NameFile = { name: asString(r['name']) };
  if (typeof r['namespace'] === 'string') out.namespace = r['namespace'];
  if (r['version'] !== undefined && r['version'] !== null) out.version = String(r['version']);
  return out;
}

function readNamespaceFile(path: string): string {
  return (readTextIfExists(join(path, '.namespace')) ?? '').replace(/[ \t\n]+$/, '').trim();
}

/** Reads a module's name and namespace and checks what DMT requires before linting it. */
export function readModuleMeta(path: string): ModuleMeta {
  const errors: string[] = [];
  const warnings: string[] = [];
  let chart: NameFile | undefined;
  let mod: NameFile | undefined;
  const chartText = safeRead(join(path, 'Chart.yaml'), errors, 'Chart.yaml');
  if (chartText !== undefined) {
    try {
      chart = parseNameFile(chartText);
    } catch (err) {
      errors.push(`failed to parse Chart.yaml: ${(err as Error).message}`);
    }
  }
  const modText = safeRead(join(path, 'module.yaml'), errors, 'module.yaml');
  if (modText !== undefined) {
    try {
      mod = parseNameFileLoose(modText);
    } catch (err) {
      errors.push(`failed to parse module.yaml: ${(err as Error).message}`);
    }
  }
  if (chart) {
    if (chart.name === '') errors.push('property `name` in Chart.yaml is empty');
    if (!chart.version) errors.push('property `version` in Chart.yaml is empty');
  }
  if (mod) {
    if (mod.name === '') warnings.push('module.yaml `name` is empty');
    if (!mod.namespace) warnings.push('module.yaml `namespace` is empty');
  }
  if (mod && chart && mod.name !== '' && chart.name !== '' && mod.name !== chart.name) {
    errors.push(`module.yaml name (${mod.name}) does not match Chart.yaml name (${chart.name})`);
  }
  const name = mod?.name || chart?.name || '';
  if (name === '' && !chart) errors.push('module `name` property is empty');
  const nsFile = readNamespaceFile(path);
  if (!mod && chart && nsFile === '') errors.push('file Chart.yaml is present, but .namespace file is missing');
  if (!isDir(join(path, 'openapi'))) {
    errors.push('OpenAPI dir does not exist');
  } else {
    if (!exists(join(path, 'openapi', 'values.yaml'))) errors.push('OpenAPI dir does not contain values.yaml');
    if (!exists(join(path, 'openapi', 'config-values.yaml')))
      errors.push('OpenAPI dir does not contain config-values.yaml');
  }
  const namespace = mod?.namespace || nsFile;
  const meta: ModuleMeta = { name: name || basename(path), namespace, errors, warnings };
  if (namespace === '' && errors.length === 0) meta.createError = `module "${name}" has no namespace`;
  return meta;
}

/** module.yaml is read leniently here (duplicate keys are the definition-file rule's business). */
function parseNameFileLoose(text: string): NameFile {
  const [value, err] = tryParseYaml(text);
  if (err && /unique/i.test(err.message)) {
    const lastWins = lenientNames(text);
    return lastWins;
  }
  if (err) throw err;
  const r = asRecord(value);
  const out: NameFile = { name: asString(r['name']) };
  if (typeof r['namespace'] === 'string') out.namespace = r['namespace'];
  return out;
}

function lenientNames(text: string): NameFile {
  const name = [...text.matchAll(/^name:\s*["']?([^"'\n#]+?)["']?\s*$/gm)].pop()?.[1] ?? '';
  const ns = [...text.matchAll(/^namespace:\s*["']?([^"'\n#]+?)["']?\s*$/gm)].pop()?.[1];
  const out: NameFile = { name };
  if (ns !== undefined) out.namespace = ns;
  return out;
}

function safeRead(abs: string, errors: string[], label: string): string | undefined {
  try {
    return readTextIfExists(abs);
  } catch (err) {
    errors.push(`failed to read ${label}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Builds the module context (without rendering; the runner fills the store). */
export function createContext(path: string, root: string, meta: ModuleMeta): ModuleContext {
  const tree = walkTree(path);
  return {
    name: meta.name,
    namespace: meta.namespace,
    path,
    root,
    tree,
    settings: LintSettings.load(path, root),
    store: new ObjectStore(),
    rendered: false,
    values: {},
    files: filesByRel(tree),
  };
}

/** Non-namespaced kinds (DMT restores the release namespace on everything else). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ComponentStatus',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'StorageClass',
  'VolumeAttachment',
  'CSIDriver',
  'CSINode',
  'PriorityClass',
  'CertificateSigningRequest',
  'APIService',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'IngressClass',
  'RuntimeClass',
  'ClusterIssuer',
]);

/** Adds rendered objects to the store; returns duplicate-object errors. */
export function storeRendered(
  ctx: ModuleContext,
  objects: Array<{ path: string; object: Record<string, unknown> }>,
): string[] {
  const dups: string[] = [];
  for (const { path, object } of objects) {
    const meta = asRecord(object['metadata']);
    if (!isRecord(object['metadata'])) object['metadata'] = meta;
    if (asString(meta['namespace']) === '' && !CLUSTER_SCOPED.has(asString(object['kind'])) && ctx.namespace !== '') {
      meta['namespace'] = ctx.namespace;
    }
    const err = ctx.store.put(new StoreObject(object, path, join(ctx.path, path)));
    if (err) dups.push(err);
  }
  return dups;
}
