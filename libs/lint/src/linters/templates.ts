import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from '../core/reporter.ts';
import { kindExcluded, stringList } from '../config/settings.ts';
import { basename, exists, extname, isDir, readText, readTextIfExists } from '../fs/files.ts';
import { asArray, asRecord, asString, isRecord, splitManifests, tryParseYaml } from '../fs/yaml.ts';
import { inDeckhouseRepo } from '../module/git.ts';
import type { ModuleContext } from '../module/module.ts';
import type { StoreObject } from '../module/objects.ts';
import { toLowerCamel } from '../module/values.ts';
import { startsAtLeast } from '@modsync/dkp/constraint';
import { renderWerfTemplate } from '../parsers/go-template.ts';
import { checkRuleGroupsSpec } from '../parsers/prometheus-rules.ts';
import { loadPromQL } from '../parsers/promql.ts';
import { quantityIsZero, parseQuantity } from '../parsers/quantity.ts';
import { BUILTIN_MOUNT_PATHS, collectMountPoints } from './container.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'templates';
const VPA_CONTROLLERS = ['Deployment', 'DaemonSet', 'StatefulSet'];
const PDB_CONTROLLERS = ['Deployment', 'StatefulSet'];
const NETWORK_HINT =
  'If you need help with the Gateway API migration or a review, reach out to the network team in #dev-network.';

export const templatesLinter: Linter = {
  id: ID,
  description: 'Lint templates',
  rules: [
    'vpa',
    'pdb',
    'ingress-rules',
    'httproute-rules',
    'prometheus-rules',
    'grafana-dashboards',
    'kube-rbac-proxy',
    'service-port',
    'cluster-domain',
    'werf',
    'registry',
    'webhook-configuration-annotations',
    'enabled-modules',
    'crd-enabled-modules',
    'mount-points',
    'helm-render',
  ],
  async run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const ex = (key: string): unknown[] => ctx.settings.excludes(ID, key);
    const objects = ctx.store.all();
    guard(r('vpa'), undefined, () => checkVPA(objects, ex('vpa'), r('vpa')));
    guard(r('pdb'), undefined, () => checkPDB(objects, ex('pdb'), r('pdb')));
    if (isDir(join(ctx.path, 'monitoring'))) {
      let grafana = r('grafana-dashboards');
      if (ctx.settings.disabled(ID, 'grafana-dashboards')) grafana = grafana.withMaxLevel('ignored');
      let prom = r('prometheus-rules');
      if (ctx.settings.disabled(ID, 'prometheus-rules')) prom = prom.withMaxLevel('ignored');
      guard(grafana, 'templates/monitoring.yaml', () => checkGrafana(ctx, grafana.withFile(ctx.path)));
      guard(prom, 'templates/monitoring.yaml', () => checkPrometheusMonitoring(ctx, prom.withFile(ctx.path)));
    }
    guard(r('kube-rbac-proxy'), undefined, () => {
      const excluded = stringList(ex('kube-rbac-proxy'));
      const withCA = new Set(
        objects.filter((o) => o.kind === 'ConfigMap' && o.name === 'kube-rbac-proxy-ca.crt').map((o) => o.namespace),
      );
      for (const o of objects) {
        if (!o.namespace.startsWith('d8-') || o.kind !== 'Namespace' || excluded.includes(o.name)) continue;
        if (!withCA.has(o.name)) {
          r('kube-rbac-proxy')
            .withFile(o.path)
            .withObject(`namespace = ${o.name}`)
            .withValue([...withCA])
            .error(
              "All system namespaces should contain kube-rbac-proxy CA certificate.\n\tConsider using corresponding helm_lib helper 'helm_lib_kube_rbac_proxy_ca_certificate'.",
            );
        }
      }
    });
    let promtool = r('prometheus-rules');
    if (ctx.settings.disabled(ID, 'prometheus-rules')) promtool = promtool.withMaxLevel('ignored');
    const ingressEx = ex('ingress');
    const portEx = ex('service-port');
    if (objects.some((o) => o.kind === 'PrometheusRule')) await loadPromQL();
    for (const o of objects) {
      guard(r('service-port').withFile(o.path), o.path, () =>
        checkServicePort(o, portEx, r('service-port').withFile(o.path)),
      );
      if (o.kind === 'PrometheusRule') {
        guard(promtool.withFile(ctx.path), o.path, () => {
          const problem = isRecord(o.raw['spec'])
            ? checkRuleGroupsSpec(o.raw['spec'])
            : "spec field not found in object 'PrometheusRule'";
          if (problem) promtool.withFile(ctx.path).error(`Promtool check failed for Prometheus rule: ${problem}`);
        });
      }
      if (o.kind === 'Ingress' && !kindExcluded(ingressEx, o.kind, o.name)) {
        const snippet = o.annotations['nginx.ingress.kubernetes.io/configuration-snippet'];
        if (snippet !== undefined && !snippet.includes('add_header Strict-Transport-Security')) {
          r('ingress-rules')
            .withFile(o.path)
            .withObject(o.name)
            .error(
              'Ingress annotation "nginx.ingress.kubernetes.io/configuration-snippet" does not contain required snippet "{{ include "helm_lib_module_ingress_configuration_snippet" . | nindent 6 }}".',
            );
        }
      }
    }
    guard(r('httproute-rules'), undefined, () => checkHTTPRoutes(objects, ex('httproute'), r('httproute-rules')));
    guard(r('cluster-domain'), undefined, () => {
      for (const f of ctx.tree.files) {
        if (!f.rel.startsWith('templates/') || f.symlink || !['.yaml', '.yml', '.tpl'].includes(extname(f.rel)))
          continue;
        guard(r('cluster-domain').withFile(f.rel), f.rel, () => {
          if (readText(f.abs).includes('cluster.local')) {
            r('cluster-domain')
              .withFile(ctx.path)
              .withObject(f.rel)
              .error(
                "File contains hardcoded 'cluster.local' substring. Use '.Values.global.clusterConfiguration.clusterDomain' instead for dynamic cluster domain configuration.",
              );
          }
        });
      }
    });
    guard(report.withRule('werf'), undefined, () =>
      checkWerfImages(ctx, report.withRule('werf').withMaxLevel(ctx.settings.linterLevel(ID))),
    );
    guard(r('registry'), undefined, () => checkRegistry(ctx, r('registry')));
    guard(r('webhook-configuration-annotations'), undefined, () => {
      const excl = ex('webhook-configuration-annotations');
      for (const o of objects) {
        if (o.kind !== 'ValidatingWebhookConfiguration' && o.kind !== 'MutatingWebhookConfiguration') continue;
        if (kindExcluded(excl, o.kind, o.name)) continue;
        const ann = o.annotations;
        if (!('werf.io/weight' in ann) && !Object.keys(ann).some((k) => k.startsWith('werf.io/deploy-dependency-'))) {
          r('webhook-configuration-annotations')
            .withObject(o.identity())
            .withFile(o.path)
            .error(
              `${o.kind} "${o.name}" must have either "werf.io/weight" annotation or an annotation with "werf.io/deploy-dependency" prefix`,
            );
        }
      }
    });
    guard(r('crd-enabled-modules'), undefined, () => checkCRDEnabledModules(ctx, r('crd-enabled-modules')));
    guard(r('mount-points'), undefined, () =>
      checkMountPoints(ctx, objects, stringList(ex('mount-points')), r('mount-points')),
    );
  },
};

function checkVPA(objects: StoreObject[], excludes: unknown[], report: Reporter): void {
  const targets = new Map<string, { containers: Set<string>; mode: string } | null>();
  for (const vpa of objects.filter((o) => o.kind === 'VerticalPodAutoscaler')) {
    const rep = report.withObject(vpa.identity()).withFile(vpa.path);
    const spec = vpa.raw['spec'];
    if (!isRecord(spec)) {
      rep.error('No VPA specs is found for object');
      continue;
    }
    const ref = spec['targetRef'];
    if (!isRecord(ref)) {
      rep.error('No VPA specs targetRef is found for object');
      continue;
    }
    const key = `${vpa.namespace}/${asString(ref['kind'])}/${asString(ref['name'])}`;
    targets.set(key, null);
    const mode = asString(asRecord(spec['updatePolicy'])['updateMode']);
    if (mode === 'Off') {
      targets.set(key, { containers: new Set(), mode });
      continue;
    }
    const policies = asArray(asRecord(spec['resourcePolicy'])['containerPolicies']).map(asRecord);
    if (policies.length === 0) {
      rep.error('No VPA specs resourcePolicy.containerPolicies is found for object');
      continue;
    }
    if (mode === 'Auto')
      rep.error("VPA updateMode cannot be 'Auto' as it is deprecated. Please use 'InPlaceOrRecreate' instead");
    if (!['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate', 'Auto'].includes(mode))
      rep.error(`Invalid updateMode '${mode}'. Allowed values are: Off, Initial, Recreate, InPlaceOrRecreate`);
    const containers = new Set<string>();
    for (const cp of policies) {
      const name = asString(cp['containerName']);
      const min = asRecord(cp['minAllowed']);
      const max = asRecord(cp['maxAllowed']);
      if (quantityIsZero(min['cpu'])) rep.error(`No VPA specs minAllowed.cpu is found for container ${name}`);
      if (quantityIsZero(min['memory'])) rep.error(`No VPA specs minAllowed.memory is found for container ${name}`);
      if (quantityIsZero(max['cpu'])) rep.error(`No VPA specs maxAllowed.cpu is found for container ${name}`);
      if (quantityIsZero(max['memory'])) rep.error(`No VPA specs maxAllowed.memory is found for container ${name}`);
      const cmp = (a: unknown, b: unknown): boolean =>
        (Number.isNaN(parseQuantity(a)) ? 0 : parseQuantity(a)) >
        (Number.isNaN(parseQuantity(b)) ? 0 : parseQuantity(b));
      if (cmp(min['cpu'] ?? 0, max['cpu'] ?? 0))
        rep.error(`MinAllowed.cpu for container ${name} should be less than maxAllowed.cpu`);
      if (cmp(min['memory'] ?? 0, max['memory'] ?? 0))
        rep.error(`MinAllowed.memory for container ${name} should be less than maxAllowed.memory`);
      containers.add(name);
    }
    targets.set(key, { containers, mode });
  }
  for (const o of objects) {
    if (!VPA_CONTROLLERS.includes(o.kind) || kindExcluded(excludes, o.kind, o.name)) continue;
    const key = `${o.namespace}/${o.kind}/${o.name}`;
    if (!targets.has(key)) {
      report.withObject(o.identity()).error('No VPA is found for object');
      continue;
    }
    const t = targets.get(key);
    if (t?.mode === 'Off') continue;
    if (!t) {
      report
        .withObject(o.identity())
        .error(`Getting vpa containers name list for the object failed: {${o.kind} ${o.name} ${o.namespace}}`);
      continue;
    }
    const names = new Set(o.containers().map((c) => c.name));
    for (const n of names)
      if (!t.containers.has(n))
        report
          .withObject(`${o.identity()} ; container = ${n}`)
          .error('The container should have corresponding VPA resourcePolicy entry');
    for (const n of t.containers)
      if (!names.has(n))
        report
          .withObject(o.identity())
          .error(
            `VPA has resourcePolicy for container ${n}, but the controller does not have corresponding container resource entry`,
          );
  }
}

/** Kubernetes label selector matching (matchLabels and matchExpressions). */
function selectorMatches(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(asRecord(selector['matchLabels']))) if (labels[k] !== String(v)) return false;
  for (const e of asArray(selector['matchExpressions']).map(asRecord)) {
    const key = asString(e['key']);
    const values = asArray(e['values']).map(String);
    const has = key in labels;
    switch (asString(e['operator'])) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function checkPDB(objects: StoreObject[], excludes: unknown[], report: Reporter): void {
  const selectors: Array<{ ns: string; sel: Record<string, unknown> | undefined }> = [];
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const ann = pdb.annotations;
    if ((ann['helm.sh/hook'] ?? '') !== '' || (ann['helm.sh/hook-delete-policy'] ?? '') !== '') {
      report.withObject(pdb.identity()).error('PDB must have no helm hook annotations');
      selectors.push({ ns: pdb.namespace, sel: undefined });
      continue;
    }
    const sel = pdb.spec['selector'];
    // A missing selector selects nothing; an empty one selects everything (LabelSelectorAsSelector).
    selectors.push({ ns: pdb.namespace, sel: isRecord(sel) ? sel : undefined });
  }
  for (const o of objects) {
    if (!PDB_CONTROLLERS.includes(o.kind) || kindExcluded(excludes, o.kind, o.name)) continue;
    if (selectors.length === 0) {
      report.withObject(o.identity()).withFile(o.path).error('No PodDisruptionBudget found for controller');
      return;
    }
    const labels = o.podLabels();
    const ok = selectors.some((s) => s.sel !== undefined && s.ns === o.namespace && selectorMatches(s.sel, labels));
    if (!ok)
      report
        .withObject(o.identity())
        .withFile(o.path)
        .withValue(labels)
        .error('No PodDisruptionBudget matches pod labels of the controller');
  }
}

function checkServicePort(o: StoreObject, excludes: unknown[], report: Reporter): void {
  if (o.kind !== 'Service') return;
  for (const p of asArray(o.spec['ports']).map(asRecord)) {
    const portName = asString(p['name']);
    if (excludes.some((e) => isRecord(e) && e['name'] === o.name && e['port'] === portName)) return;
    const target = p['targetPort'];
    if (typeof target === 'number') {
      const rep = report.withObject(`${o.identity()} ; port = ${portName}`);
      if (target === 0) rep.error('Service port must use an explicit named (non-numeric) target port');
      else rep.withValue(target).error('Service port must use a named (non-numeric) target port');
    }
  }
}

function checkHTTPRoutes(objects: StoreObject[], excludes: unknown[], report: Reporter): void {
  const routes = objects.filter((o) => o.kind === 'HTTPRoute');
  const listenerSets = new Set(objects.filter((o) => o.kind === 'ListenerSet').map((o) => o.name));
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    if (kindExcluded(excludes, 'Ingress', ing.name)) continue;
    const app = ing.labels['app'] ?? '';
    const route = app === '' ? undefined : routes.find((r) => r.labels['app'] === app);
    if (!route) {
      report
        .withObject(ing.identity())
        .withFile(ing.path)
        .error(
          `Ingress "${ing.name}" ships in this module, but the corresponding Gateway API resources are missing: no HTTPRoute with a matching "app"="${app}" label was found. Every Ingress must be accompanied by a Gateway API HTTPRoute (referencing a ListenerSet) so the module is ready for the Ingress -> Gateway API migration. ${NETWORK_HINT}`,
        );
      continue;
    }
    const refs = asArray(route.spec['parentRefs']);
    let problem: string | undefined;
    if (refs.length === 0)
      problem = 'spec.parentRefs is empty, so it does not reference a ListenerSet defined in the module templates';
    else if (!refs.some((p) => isRecord(p) && typeof p['name'] === 'string' && listenerSets.has(p['name']))) {
      problem = 'none of the spec.parentRefs reference a ListenerSet defined in the module templates';
    }
    if (problem) {
      report
        .withObject(route.identity())
        .withFile(route.path)
        .error(
          `HTTPRoute "${route.name}" does not yet provide a valid Gateway API replacement for Ingress "${ing.name}": ${problem}. ${NETWORK_HINT}`,
        );
    }
  }
}

function monitoringYaml(ctx: ModuleContext, report: Reporter): string | undefined {
  const path = join(ctx.path, 'templates', 'monitoring.yaml');
  if (!exists(path)) {
    report.withFile(path).error("Module with the 'monitoring' folder should have the 'templates/monitoring.yaml' file");
    return undefined;
  }
  return readText(path);
}

function includesLine(content: string, wanted: string): boolean {
  const w = wanted.replaceAll(' ', '');
  return content.split('\n').some((l) => l.replaceAll(' ', '').includes(w));
}

function checkPrometheusMonitoring(ctx: ModuleContext, report: Reporter): void {
  const content = monitoringYaml(ctx, report);
  if (content === undefined || !isDir(join(ctx.path, 'monitoring', 'prometheus-rules'))) return;
  if (includesLine(content, 'include "helm_lib_prometheus_rules')) return;
  report
    .withFile(join(ctx.path, 'templates', 'monitoring.yaml'))
    .error(
      `The content of the 'templates/monitoring.yaml' should be equal to:\n{{- include "helm_lib_prometheus_rules" (list . "YOUR NAMESPACE TO DEPLOY RULES: d8-monitoring, d8-system or module namespace") }}`,
    );
}

function checkGrafana(ctx: ModuleContext, report: Reporter): void {
  const content = monitoringYaml(ctx, report);
  if (content === undefined || !isDir(join(ctx.path, 'monitoring', 'grafana-dashboards'))) return;
  for (const f of ctx.tree.files) {
    if (!f.rel.startsWith('monitoring/grafana-dashboards/') || f.symlink || !['.json', '.tpl'].includes(extname(f.rel)))
      continue;
    guard(report.withFile(f.abs), f.rel, () => checkDashboard(readText(f.abs), report.withFile(f.abs)));
  }
  if (includesLine(content, 'include "helm_lib_grafana_dashboard_definitions')) return;
  if (content.includes('include "helm_lib_grafana_dashboard_definitions_recursion" (list .')) return;
  report
    .withFile(join(ctx.path, 'templates', 'monitoring.yaml'))
    .error(
      `The content of the 'templates/monitoring.yaml' should be equal to:\n{{- include "helm_lib_grafana_dashboard_definitions" . }}\nGot:\n${content}`,
    );
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable references, not template literals
const RECOMMENDED_DS = ['$ds_prometheus', '${ds_prometheus}'];

function jsonString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function checkDashboard(text: string, report: Reporter): void {
  let dashboard: unknown;
  try {
    dashboard = JSON.parse(text);
  } catch {
    dashboard = undefined;
  }
  if (!isRecord(dashboard)) {
    report.error('dashboard file is not valid JSON');
    return;
  }
  const panels: Record<string, unknown>[] = [];
  for (const row of asArray(dashboard['rows']).map(asRecord)) panels.push(...asArray(row['panels']).map(asRecord));
  for (const p of asArray(dashboard['panels']).map(asRecord)) {
    if (p['type'] === 'row') panels.push(...asArray(p['panels']).map(asRecord));
    else panels.push(p);
  }
  for (const panel of panels) {
    const title = jsonString(panel['title']) || 'unnamed';
    const type = jsonString(panel['type']);
    const replace: Record<string, string> = { graph: 'timeseries', 'flant-statusmap-panel': 'state-timeline' };
    if (replace[type])
      report.error(`Panel '${title}' uses deprecated type '${type}', consider using '${replace[type]}'`);
    const targets = asArray(panel['targets']).map(asRecord);
    for (const t of targets) {
      const expr = jsonString(t['expr']);
      for (const interval of ['interval_rv', 'interval_sx3', 'interval_sx4']) {
        if (expr.includes(interval))
          report.error(
            `Panel '${title}' contains deprecated interval '${interval}', consider using '$__rate_interval'`,
          );
      }
    }
    if (panel['alert'] !== undefined) {
      report.error(
        `Panel '${title}' contains legacy alert rule '${jsonString(asRecord(panel['alert'])['name']) || 'unnamed'}', consider using external alertmanager`,
      );
    }
    for (const t of targets) {
      if (!('datasource' in t)) continue;
      const ds = t['datasource'];
      let uid: string;
      if (isRecord(ds) && 'uid' in ds) uid = jsonString(ds['uid']);
      else {
        uid = jsonString(ds);
        report.error(
          `Panel '${title}' uses legacy datasource format, consider resaving dashboard using newer Grafana version`,
        );
      }
      if (!uid.startsWith('$'))
        report.error(
          `Panel '${title}' contains hardcoded datasource UID '${uid}', consider using grafana variable of type 'Datasource'`,
        );
      if (isRecord(ds) && ds['type'] === 'prometheus' && !RECOMMENDED_DS.includes(uid)) {
        report.error(`Panel '${title}' datasource should be one of: ${RECOMMENDED_DS.join(', ')} instead of '${uid}'`);
      }
    }
  }
  let hasDsVar = false;
  for (const t of asArray(asRecord(dashboard['templating'])['list']).map(asRecord)) {
    if (t['type'] === 'datasource' && t['query'] === 'prometheus' && t['name'] === 'ds_prometheus') hasDsVar = true;
    const ds = asRecord(t['datasource']);
    if (
      t['type'] === 'query' &&
      ds['type'] === 'prometheus' &&
      'uid' in ds &&
      !RECOMMENDED_DS.includes(jsonString(ds['uid']))
    ) {
      report.error(
        `Dashboard variable '${jsonString(t['name'])}' should use one of: ${RECOMMENDED_DS.join(', ')} as its datasource`,
      );
    }
  }
  if (!hasDsVar)
    report.error("Dashboard must contain prometheus variable with query type: 'prometheus' and name: 'ds_prometheus'");
}

function checkWerfImages(ctx: ModuleContext, report: Reporter): void {
  const dirs = ctx.tree.dirs.filter((d) => /^images\/[^/]+$/.test(d)).sort();
  for (const dir of dirs) {
    const rel = `${dir}/werf.inc.yaml`;
    const f = ctx.files.get(rel);
    if (!f) continue;
    const imageName = dir.slice('images/'.length);
    let rendered: string;
    try {
      rendered = renderWerfTemplate(readText(f.abs), {
        Root: { Env: process.env['WERF_ENV'] ?? 'EE' },
        ImageName: imageName,
        ImagePath: `/images/${imageName}`,
        ModuleNamePrefix: '',
        ModuleDir: '/',
        GOPROXY: process.env['GOPROXY'] ?? 'https://proxy.golang.org,direct',
      });
    } catch {
      continue; // not renderable in isolation: skipped, as DMT does
    }
    const rep = report.withFile(rel);
    splitManifests(rendered).forEach((doc, i) => {
      const [value, err] = tryParseYaml(doc);
      if (err) {
        rep.error(`Failed to parse ${rel} document ${i + 1}: ${err.message}`);
        return;
      }
      const image = jsonString(asRecord(value)['image']);
      if (image !== '' && image.includes('_'))
        rep.error(`Image name "${image}" in ${rel} (document ${i + 1}) must not contain underscores`);
    });
  }
}

function checkRegistry(ctx: ModuleContext, report: Reporter): void {
  const file = ctx.tree.files.find((f) => basename(f.rel) === 'registry-secret.yaml');
  if (!file || inDeckhouseRepo(ctx.path)) return;
  const content = readText(file.abs);
  if (!content.includes('.Values.global.modulesImages.registry.dockercfg')) return;
  const wanted = `.Values.${toLowerCamel(ctx.name)}.registry.dockercfg`;
  if (!content.includes(wanted))
    report.error(
      `registry-secret.yaml file contains .Values.global.modulesImages.registry.dockercfg but missing ${wanted}`,
    );
}

const ENABLED_MODULES_RE = /\.Values\.global\.enabledModules\s*\|\s*has\s+"([^"]*)"/g;

function checkCRDEnabledModules(ctx: ModuleContext, report: Reporter): void {
  const mod = readTextIfExists(join(ctx.path, 'module.yaml'));
  if (mod === undefined) return;
  const [value] = tryParseYaml(mod);
  const req = asString(asRecord(asRecord(value)['requirements'])['deckhouse']);
  if (req === '' || !startsAtLeast(req, '1.65.0')) return;
  for (const f of ctx.tree.files) {
    if (!f.rel.startsWith('templates/') || f.symlink || !['.yaml', '.yml', '.tpl'].includes(extname(f.rel))) continue;
    guard(report.withFile(f.rel), f.rel, () => {
      const content = readText(f.abs);
      for (const m of content.matchAll(ENABLED_MODULES_RE)) {
        const name = m[1]!;
        if (!name.endsWith('-crd')) continue;
        const line = content.slice(0, m.index).split('\n').length;
        report
          .withFile(f.rel)
          .withLine(line)
          .withValue(name)
          .withFix(() => fixCRDReferences(f.abs))
          .error(
            `Deprecated "${name}" reference in .Values.global.enabledModules: standalone "-crd" modules were removed in Deckhouse v1.65.0, use "${name.slice(0, -4)}" instead.`,
          );
      }
    });
  }
}

function fixCRDReferences(abs: string): void {
  const content = readFileSync(abs, 'utf8');
  const out = content.replace(ENABLED_MODULES_RE, (whole: string, name: string) =>
    name.endsWith('-crd') ? whole.replace(`"${name}"`, `"${name.slice(0, -4)}"`) : whole,
  );
  if (out === content) return;
  const tmp = `${abs}.fix.tmp`;
  writeFileSync(tmp, out, { mode: statSync(abs).mode });
  renameSync(tmp, abs);
}

function checkMountPoints(ctx: ModuleContext, objects: StoreObject[], excludes: string[], report: Reporter): void {
  const byFile = collectMountPoints(ctx);
  if (byFile.size === 0) return;
  const controllers = objects.filter((o) => VPA_CONTROLLERS.includes(o.kind));
  if (controllers.length === 0) return;
  const used = new Set<string>();
  for (const o of controllers)
    for (const c of o.allContainers()) for (const m of c.volumeMounts) used.add(m.mountPath.replace(/\/+$/, ''));
  for (const [file, entries] of byFile) {
    for (const dir of entries) {
      const n = dir.replace(/\/+$/, '');
      if (BUILTIN_MOUNT_PATHS.has(n) || excludes.includes(n)) continue;
      if (!used.has(n))
        report
          .withFile(file)
          .warn(`mount-points.yaml references dir "${dir}" which is not used as a mountPath in any pod controller`);
    }
  }
}
