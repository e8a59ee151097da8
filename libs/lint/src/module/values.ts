import { join } from 'node:path';
import { moduleValuesKey } from '@modsync/dkp/module-names';
import { readTextIfExists, readYaml } from '../fs/files.ts';
import { asRecord, isRecord } from '../fs/yaml.ts';
import { exampleFromPattern } from '../parsers/regex-example.ts';

/**
 * Values for an offline render of a module chart, as DMT builds them: each property of the module's
 * `openapi/values.yaml` (extended by `config-values.yaml`) gets a synthesized value (x-dmt-default,
 * x-example(s), enum, default, or a typed placeholder), under `.Values.<camelName>`; `.Values.global`
 * gets fake-but-well-typed platform values so the deckhouse_lib_helm helpers resolve.
 */

export type Schema = Record<string, unknown>;

const DUMMY_DIGEST = 'sha256:d478cd82cb6a604e3a27383daf93637326d402570b2f3bec835d1f84c9ed0acc';
export const STUB_REGISTRY = 'registry.example.com/deckhouse';

/** Images common to all modules whose digests helpers look up under `global.modulesImages.digests.common`. */
const COMMON_IMAGES = [
  'kube-rbac-proxy',
  'init',
  'pause',
  'distroless',
  'shell-operator',
  'iptables-wrapper',
  'nginx-static',
  'redis-static',
  'debug-container',
  'csi-external-attacher',
  'csi-external-provisioner',
  'csi-external-resizer',
  'csi-external-snapshotter',
  'csi-livenessprobe',
  'csi-node-driver-registrar',
  'coredns',
  'promtool',
];

/**
 * Modules an offline render assumes enabled (guards like `has "cert-manager" .Values.global.enabledModules`): DMT's
 * default `global.enabledModules`, the `-crd` modules included, so a VPA guarded by `vertical-pod-autoscaler-crd` renders.
 */
const ASSUMED_ENABLED_MODULES = [
  'cert-manager',
  'vertical-pod-autoscaler',
  'vertical-pod-autoscaler-crd',
  'prometheus',
  'prometheus-crd',
  'operator-prometheus',
  'operator-prometheus-crd',
  'managed-cassandra',
  'managed-clickhouse',
  'managed-hive-metastore',
  'managed-kafka',
  'managed-memcached',
  'managed-opensearch',
  'managed-postgres',
  'managed-starrocks',
  'managed-trino',
  'managed-valkey',
  'operator-postgres',
];

/** DMT's `ToLowerCamel` (used by the registry rule). */
export function toLowerCamel(s: string): string {
  if (s === '') return s;
  if (s === 'ID') s = 'id';
  s = s.replace(/([a-zA-Z])(\d+)([a-zA-Z]?)/g, '$1 $2 $3').trim();
  s = s.charAt(0).toLowerCase() + s.slice(1);
  let out = '';
  let capNext = false;
  for (const ch of s) {
    if (ch >= 'A' && ch <= 'Z') out += ch;
    if (ch >= '0' && ch <= '9') out += ch;
    if (ch >= 'a' && ch <= 'z') out += capNext ? ch.toUpperCase() : ch;
    capNext = ch === '_' || ch === ' ' || ch === '-' || ch === '.';
  }
  return out;
}

function typeIncludes(schema: Schema, t: string): boolean {
  const type = schema['type'];
  return type === t || (Array.isArray(type) && type.includes(t));
}

/** Resolves local `$ref`s (`#/definitions/x`) against the root, bounded against cycles. */
function expandRefs(node: unknown, root: Schema, depth = 0): unknown {
  if (depth > 40) return node;
  if (Array.isArray(node)) return node.map((n) => expandRefs(n, root, depth + 1));
  if (!isRecord(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    let target: unknown = root;
    for (const part of ref.slice(2).split('/'))
      target = asRecord(target)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    const { $ref: _drop, ...rest } = node;
    return expandRefs({ ...asRecord(target), ...rest }, root, depth + 1);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = expandRefs(v, root, depth + 1);
  return out;
}

/** Applies `x-extend` (values.yaml extends config-values.yaml): parent properties under the child's. */
function extendSchema(child: Schema, parent: Schema | undefined): Schema {
  if (!parent || !isRecord(child['x-extend'])) return child;
  return {
    ...child,
    properties: { ...asRecord(parent['properties']), ...asRecord(child['properties']) },
    definitions: { ...asRecord(parent['definitions']), ...asRecord(child['definitions']) },
    required: [
      ...new Set([
        ...(Array.isArray(parent['required']) ? parent['required'] : []),
        ...(Array.isArray(child['required']) ? child['required'] : []),
      ]),
    ],
  };
}

/** Loads the module's values schema: `openapi/values.yaml` extended by `openapi/config-values.yaml`. */
export function loadValuesSchema(modulePath: string): Schema {
  const load = (file: string): Schema | undefined => {
    const text = readTextIfExists(join(modulePath, 'openapi', file));
    if (text === undefined || text.trim() === '') return undefined;
    const raw = asRecord(readYaml(join(modulePath, 'openapi', file)));
    return asRecord(expandRefs(raw, raw));
  };
  const config = load('config-values.yaml');
  const values = load('values.yaml');
  if (!values) return config ?? {};
  return extendSchema(values, config);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (isRecord(base) && isRecord(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function pickExample(v: unknown): unknown {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (v.every(isRecord))
    return v.reduce((best: Record<string, unknown>, e: Record<string, unknown>) =>
      Object.keys(e).length > Object.keys(best).length ? e : best,
    );
  return v[0];
}

function synthesizeProperties(schema: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 30) return out;
  for (const [key, prop] of Object.entries(asRecord(schema['properties']))) {
    synthesizeProperty(key, asRecord(prop), out, depth + 1);
  }
  const not = asRecord(schema['not']);
  const req = Array.isArray(not['required'])
    ? (not['required'] as unknown[]).filter((r): r is string => typeof r === 'string')
    : [];
  if (req.length >= 2 && req.every((r) => r in out)) for (const r of req.slice(1)) delete out[r];
  return out;
}

function synthesizeDefault(
  key: string,
  prop: Schema,
  value: unknown,
  out: Record<string, unknown>,
  depth: number,
): void {
  let def = value;
  if (typeIncludes(prop, 'array') && !Array.isArray(def)) def = [def];
  if (isRecord(def) && typeIncludes(prop, 'object')) {
    out[key] = deepMerge(synthesizeProperties(prop, depth), def);
    return;
  }
  out[key] = def;
}

function synthesizeProperty(key: string, prop: Schema, out: Record<string, unknown>, depth: number): void {
  if (prop['x-dmt-default'] !== undefined && prop['x-dmt-default'] !== null)
    return synthesizeDefault(key, prop, prop['x-dmt-default'], out, depth);
  if (prop['x-example'] !== undefined && prop['x-example'] !== null)
    return synthesizeDefault(key, prop, prop['x-example'], out, depth);
  if (prop['x-examples'] !== undefined && prop['x-examples'] !== null) {
    const ex = pickExample(prop['x-examples']);
    if (ex !== undefined) synthesizeDefault(key, prop, ex, out, depth);
    return;
  }
  const en = prop['enum'];
  if (Array.isArray(en) && en.length > 0) {
    out[key] = prop['default'] !== undefined ? prop['default'] : en[0];
    return;
  }
  if (typeIncludes(prop, 'object')) {
    out[key] = synthesizeProperties(prop, depth);
    return;
  }
  if (prop['default'] !== undefined && prop['default'] !== null) {
    out[key] = prop['default'];
    return;
  }
  const items = prop['items'];
  if (typeIncludes(prop, 'array') && isRecord(items)) {
    if (items['default'] !== undefined) {
      out[key] = items['default'];
      return;
    }
    const tmp: Record<string, unknown> = {};
    synthesizeProperty(key, items, tmp, depth + 1);
    out[key] = [tmp[key] ?? null];
    return;
  }
  if (typeIncludes(prop, 'integer') || typeIncludes(prop, 'number')) {
    out[key] = 123;
    return;
  }
  if (typeIncludes(prop, 'boolean')) {
    out[key] = true;
    return;
  }
  if (typeIncludes(prop, 'string')) {
    const pattern = typeof prop['pattern'] === 'string' ? prop['pattern'] : '';
    out[key] = pattern === '' ? 'aaaaaaaa' : exampleFromPattern(pattern, 'aaaaaaaa');
    return;
  }
  for (const comb of ['allOf', 'oneOf', 'anyOf'] as const) {
    const branches = prop[comb];
    if (Array.isArray(branches) && branches.length > 0) {
      const merged: Schema = { ...prop, properties: { ...asRecord(prop['properties']) } };
      for (const b of branches) Object.assign(merged['properties'] as object, asRecord(asRecord(b)['properties']));
      out[key] = synthesizeProperties(merged, depth);
      return;
    }
  }
}

/** Synthesizes values for a schema's properties (exported for tests). */
function synthesizeValues(schema: Schema): Record<string, unknown> {
  return synthesizeProperties(schema, 0);
}

/** Fake-but-well-typed `.Values.global` for offline rendering. */
function globalStubValues(): Record<string, unknown> {
  return {
    enabledModules: [...ASSUMED_ENABLED_MODULES],
    clusterIsBootstrapped: true,
    highAvailability: false,
    defaultClusterStorageClass: '',
    deckhouseVersion: 'dev',
    deckhouseEdition: 'CE',
    clusterConfiguration: {
      apiVersion: 'deckhouse.io/v1',
      kind: 'ClusterConfiguration',
      clusterDomain: 'cluster.local',
      clusterType: 'Static',
      kubernetesVersion: 'Automatic',
      podSubnetCIDR: '10.111.0.0/16',
      podSubnetNodeCIDRPrefix: '24',
      serviceSubnetCIDR: '10.222.0.0/16',
      proxy: {},
    },
    discovery: {
      clusterMasterCount: 1,
      clusterControlPlaneIsHighlyAvailable: false,
      clusterUUID: '00000000-0000-0000-0000-000000000000',
      kubernetesVersion: '1.31.0',
      prometheusScrapeInterval: 30,
      defaultStorageClass: '',
      apiVersions: [],
      d8SpecificNodeCountByRole: {},
      clusterDomain: 'cluster.local',
    },
    modules: {
      publicDomainTemplate: '%s.example.com',
      ingressClass: 'nginx',
      placement: {},
      resourcesRequests: { controlPlane: {} },
      https: { mode: 'CertManager', certManager: { clusterIssuerName: 'letsencrypt' } },
    },
    internal: {
      modules: {
        kubeRBACProxyCA: { cert: '', key: '' },
        admissionWebhookClientCA: { cert: '', key: '' },
      },
    },
    modulesImages: {
      registry: {
        base: STUB_REGISTRY,
        dockercfg: 'e30=',
        scheme: 'https',
        address: 'registry.example.com',
        path: '/deckhouse',
        CA: '',
      },
      digests: {},
    },
  };
}

function digestsFor(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    out[moduleValuesKey(n)] = DUMMY_DIGEST;
    out[n] = DUMMY_DIGEST;
  }
  return out;
}

/** The full values file for `helm template`. */
export function composeRenderValues(moduleName: string, schema: Schema, imageDirs: string[]): Record<string, unknown> {
  const camel = moduleValuesKey(moduleName);
  const moduleSchema = { ...schema, default: {} };
  const generated = synthesizeValues({ properties: { [camel]: moduleSchema } });
  const global = globalStubValues();
  const modulesImages = asRecord(global['modulesImages']);
  modulesImages['digests'] = { common: digestsFor(COMMON_IMAGES), [camel]: digestsFor(imageDirs) };
  const moduleValues = deepMerge(asRecord(generated[camel]), { registry: { dockercfg: 'ZG9ja2VyY2Zn' } });
  return { global, [camel]: moduleValues };
}
