import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { isFile, readText } from '../fs/files.ts';
import { asArray, asRecord, asString, isRecord, parseYaml } from '../fs/yaml.ts';
import type { Level } from '../core/types.ts';
import { parseLevel } from '../core/types.ts';

/** The names DMT looks for (viper's `.dmtlint` with a supported extension). */
const CONFIG_FILE_NAMES = ['.dmtlint.yaml', '.dmtlint.yml', '.dmtlint.json'] as const;

/**
 * Finds the lint config the way DMT does: the first `.dmtlint.*` in the directory, then each parent,
 * then the home directory.
 */
function findConfigFile(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      if (isFile(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const home = homedir();
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = join(home, name);
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

function loadConfigFile(path: string): Record<string, unknown> {
  try {
    const text = readText(path);
    const value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return asRecord(value);
  } catch (err) {
    throw new ConfigError(path, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** DMT's config key for each rule, where it differs from the rule ID (global `rules:` section). */
const RULE_CONFIG_KEYS: Record<string, Record<string, string>> = {
  container: {
    'object-recommended-labels': 'recommended-labels',
    'object-api-version': 'api-version',
    'object-priority-class': 'priority-class',
    'object-revision-history-limit': 'revision-history-limit',
    'security-context': 'container-security-context',
  },
  images: { dockerfile: 'image' },
  module: { requirements: 'requarements', conversions: 'conversion' },
  templates: { 'ingress-rules': 'ingress', 'httproute-rules': 'httproute' },
};

/** Rules whose level falls back to `warn` rather than the linter's impact (DMT's defaults). */
const WARN_BY_DEFAULT: Record<string, readonly string[]> = {
  container: ['sys-cgroup-mount'],
  documentation: ['markdownlint', 'size'],
  templates: ['crd-enabled-modules'],
};

/**
 * Rules of ours that report what DMT does not, so they stay `ignored` unless the global `rules.<rule>.impact`
 * turns them on: the image rules (DMT's return early: they look for Dockerfiles only when `images` is a regular
 * file) and `markdownlint-strict` (what markdownlint reports and DMT's Go port of it does not).
 */
const OFF_BY_DEFAULT: Record<string, readonly string[]> = {
  documentation: ['markdownlint-strict'],
  images: ['dockerfile', 'distroless'],
};

/** Rules whose level DMT never maps from the `rules:` section (their level is the linter's). */
const LINTER_LEVEL_ONLY: Record<string, readonly string[]> = {
  'no-cyrillic': ['files'],
  openapi: ['enum', 'high-availability', 'deckhouse-crds', 'keys'],
  rbac: ['user-authz', 'binding-subject', 'placement', 'wildcards'],
  hooks: ['ingress'],
};

/** Linter and rule settings for one module: its `.dmtlint.yaml` `linters-settings` over the root `global` section. */
export class LintSettings {
  readonly configFile: string | undefined;
  readonly #module: Record<string, unknown>;
  readonly #global: Record<string, unknown>;

  constructor(
    moduleSettings: Record<string, unknown> = {},
    globalSettings: Record<string, unknown> = {},
    configFile?: string,
  ) {
    this.#module = moduleSettings;
    this.#global = globalSettings;
    this.configFile = configFile;
  }

  /** Reads the module's settings from the nearest config file and the root settings from the root's. */
  static load(modulePath: string, rootDir: string): LintSettings {
    const moduleFile = findConfigFile(modulePath);
    const rootFile = findConfigFile(rootDir);
    const moduleCfg = moduleFile ? loadConfigFile(moduleFile) : {};
    const rootCfg = rootFile ? (rootFile === moduleFile ? moduleCfg : loadConfigFile(rootFile)) : {};
    return new LintSettings(
      asRecord(moduleCfg['linters-settings']),
      asRecord(asRecord(rootCfg['global'])['linters-settings']),
      moduleFile,
    );
  }

  /** The module-level section for a linter (`linters-settings.<linter>`). */
  section(linter: string): Record<string, unknown> {
    return asRecord(this.#module[linter]);
  }

  /** The linter's impact: module `impact`, else global `impact`, else `error`. */
  linterLevel(linter: string): Level {
    const own = asString(this.section(linter)['impact']);
    if (own !== '') return parseLevel(own);
    const global = asString(asRecord(this.#global[linter])['impact']);
    if (global !== '') return parseLevel(global);
    return 'error';
  }

  /**
   * The level cap of one rule, as DMT maps it: the global `rules.<rule>.impact`, else the rule's own default
   * (`warn` for a few), else the linter's impact.
   */
  ruleLevel(linter: string, rule: string): Level {
    if (!(LINTER_LEVEL_ONLY[linter] ?? []).includes(rule)) {
      const rules = asRecord(asRecord(this.#global[linter])['rules']);
      const key = RULE_CONFIG_KEYS[linter]?.[rule] ?? rule;
      const impact = asString(asRecord(rules[key])['impact']) || asString(asRecord(rules[rule])['impact']);
      if (impact !== '') return parseLevel(impact);
    }
    if ((OFF_BY_DEFAULT[linter] ?? []).includes(rule)) return 'ignored';
    if ((WARN_BY_DEFAULT[linter] ?? []).includes(rule)) return 'warn';
    return this.linterLevel(linter);
  }

  /** `linters-settings.<linter>.exclude-rules.<key>` as a list. */
  excludes(linter: string, key: string): unknown[] {
    return asArray(asRecord(this.section(linter)['exclude-rules'])[key]);
  }

  /** `linters-settings.<linter>.exclude-rules.<key>` as a mapping. */
  excludeMap(linter: string, key: string): Record<string, unknown> {
    return asRecord(asRecord(this.section(linter)['exclude-rules'])[key]);
  }

  /** `linters-settings.<linter>.<setting>.disable`. */
  disabled(linter: string, setting: string): boolean {
    return asRecord(this.section(linter)[setting])['disable'] === true;
  }

  /** The global impacts set to `warn` per linter, for DMT's `dmt_linter_info` metric. */
  globalWarnLinters(): Array<{ linter: string; level: string }> {
    const out: Array<{ linter: string; level: string }> = [];
    for (const [name, value] of Object.entries(this.#global)) {
      if (!isRecord(value)) continue;
      if (value['impact'] === 'warn') out.push({ linter: name, level: 'warn' });
      for (const rv of Object.values(asRecord(value['rules']))) {
        if (isRecord(rv) && rv['impact'] === 'warn') out.push({ linter: name, level: 'warn' });
      }
    }
    return out;
  }
}

// ---- exclusion helpers (DMT's pkg.*RuleExclude semantics) ----

export function stringList(items: unknown[]): string[] {
  return items.filter((i): i is string => typeof i === 'string');
}

/** DMT's KindRuleExclude: excluded when kind and name both match. */
export function kindExcluded(items: unknown[], kind: string, name: string): boolean {
  return items.some((i) => isRecord(i) && i['kind'] === kind && i['name'] === name);
}

/** DMT's ContainerRuleExclude: kind and name match, and container matches or is unset. */
export function containerExcluded(items: unknown[], kind: string, name: string, container: string): boolean {
  return items.some(
    (i) =>
      isRecord(i) &&
      i['kind'] === kind &&
      i['name'] === name &&
      (i['container'] === undefined || i['container'] === '' || i['container'] === container),
  );
}

/** DMT's DirectoryRuleExclude: the path is the directory or lies under it. */
export function dirExcluded(dirs: string[], path: string): boolean {
  return dirs.some((d) => {
    const dir = d.replace(/\/+$/, '');
    return path === dir || path.startsWith(`${dir}/`);
  });
}

/** DMT's PathRule over file names and directories. */
export function pathExcluded(files: string[], dirs: string[], path: string): boolean {
  return files.includes(path) || dirExcluded(dirs, path);
}
