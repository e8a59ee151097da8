import type { Reporter } from '../core/reporter.ts';
import { kindExcluded, stringList } from '../config/settings.ts';
import { asArray, asRecord, asString, isRecord } from '../fs/yaml.ts';
import type { ModuleContext } from '../module/module.ts';
import type { StoreObject } from '../module/objects.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'rbac';
const USER_AUTHZ = 'templates/user-authz-cluster-roles.yaml';
const FOR_US = 'templates/rbac-for-us.yaml';
const TO_US = 'templates/rbac-to-us.yaml';
const DECKHOUSE_NAMESPACES = [
  'd8-monitoring',
  'd8-system',
  'd8-admission-policy-engine',
  'd8-operator-trivy',
  'd8-log-shipper',
  'd8-local-path-provisioner',
];

const isSystemNs = (ns: string): boolean => ns === 'default' || ns === 'kube-system';
const isDeckhouseNs = (ns: string): boolean => DECKHOUSE_NAMESPACES.includes(ns);

function toKebab(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}

function subParts(path: string, suffix: string): string[] {
  return path
    .slice(0, -suffix.length)
    .replace(/^templates\//, '')
    .split('/');
}

export const rbacLinter: Linter = {
  id: ID,
  description: 'Lint rbac objects',
  rules: ['user-authz', 'binding-subject', 'placement', 'wildcards'],
  run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const objects = ctx.store.all();
    guard(r('user-authz'), undefined, () => {
      for (const o of objects) {
        if (o.path !== USER_AUTHZ) continue;
        const rep = r('user-authz').withObject(o.identity()).withFile(o.path);
        if (o.kind !== 'ClusterRole')
          return rep.error('Only ClusterRoles can be specified in "templates/user-authz-cluster-roles.yaml"');
        const level = o.annotations['user-authz.deckhouse.io/access-level'];
        if (level === undefined)
          return rep.error(
            'User-authz access ClusterRoles should have annotation "user-authz.deckhouse.io/access-level"',
          );
        const expected = `d8:user-authz:${ctx.name}:${toKebab(level)}`;
        if (o.name !== expected) return rep.error(`Name of user-authz ClusterRoles should be "${expected}"`);
      }
    });
    guard(r('binding-subject'), undefined, () => {
      const excluded = stringList(ctx.settings.excludes(ID, 'binding-subject'));
      for (const o of objects) {
        if (o.kind !== 'ClusterRoleBinding' && o.kind !== 'RoleBinding') continue;
        for (const s of asArray(o.raw['subjects']).filter(isRecord)) {
          if (s['kind'] !== 'ServiceAccount') continue;
          const name = asString(s['name']);
          const ns = asString(s['namespace']);
          if (excluded.includes(name)) continue;
          if (name === 'prometheus' && ns === 'd8-monitoring') continue;
          if (ctx.name === 'loki' && name === 'grafana' && ns === 'd8-monitoring') continue;
          if (ns === ctx.namespace && !ctx.store.has('ServiceAccount', name, ns)) {
            r('binding-subject')
              .withObject(o.identity())
              .withFile(o.path)
              .error(`${o.kind} bind to the wrong ServiceAccount (doesn't exist in the store)`);
            return;
          }
        }
      }
    });
    guard(r('placement'), undefined, () => {
      const excludes = ctx.settings.excludes(ID, 'placement');
      for (const o of objects) {
        if (kindExcluded(excludes, o.kind, o.name)) continue;
        // DMT skips everything under the `templates/rbac` prefix, root rbac-for-us.yaml included.
        if (o.path === USER_AUTHZ || o.path.startsWith('templates/rbac')) continue;
        placement(ctx, o, r('placement').withObject(o.identity()));
      }
    });
    guard(r('wildcards'), undefined, () => {
      const excludes = ctx.settings.excludes(ID, 'wildcards');
      for (const o of objects) {
        if (!o.path.endsWith('rbac-for-us.yaml') || kindExcluded(excludes, o.kind, o.name)) continue;
        if (o.kind !== 'Role' && o.kind !== 'ClusterRole') continue;
        for (const rule of asArray(o.raw['rules']).map(asRecord)) {
          const found: string[] = [];
          if (asArray(rule['apiGroups']).includes('*')) found.push('apiGroups');
          if (asArray(rule['resources']).includes('*')) found.push('resources');
          if (asArray(rule['verbs']).includes('*')) found.push('verbs');
          if (found.length) {
            r('wildcards')
              .withObject(o.identity())
              .withFile(o.path)
              .error(`${found.join(', ')} contains a wildcards. Replace them with an explicit list of resources`);
            break;
          }
        }
      }
    });
  },
};

function placement(ctx: ModuleContext, o: StoreObject, report: Reporter): void {
  const path = o.path;
  const rep = report.withFile(path);
  const ns = o.namespace;
  const name = o.name;
  switch (o.kind) {
    case 'ServiceAccount': {
      if (path === FOR_US) {
        if (isSystemNs(ns)) {
          if (name !== `d8-${ctx.name}`)
            rep.error(
              `Name of ServiceAccount in "${FOR_US}" in namespace "${ns}" should be equal to d8- + Chart Name (d8-${ctx.name})`,
            );
          return;
        }
        if (name !== ctx.name)
          return rep.error(`Name of ServiceAccount in "${FOR_US}" should be equal to Chart Name (${ctx.name})`);
        if (!isDeckhouseNs(ns) && ctx.namespace !== ns)
          rep.error(`ServiceAccount should be deployed to "d8-system", "d8-monitoring" or "${ctx.namespace}"`);
        return;
      }
      if (path.endsWith('rbac-for-us.yaml')) {
        const sa = subParts(path, '/rbac-for-us.yaml').join('-');
        const expected = `${ctx.name}-${sa}`;
        if (isSystemNs(ns)) {
          if (name !== `d8-${expected}`)
            rep.error(`Name of ServiceAccount in "${path}" in namespace "${ns}" should be equal to d8-${expected}`);
          return;
        }
        if (name === sa) {
          if (ctx.namespace !== ns) {
            if (isDeckhouseNs(ns))
              rep.error(
                `Service account namespace should be equal to "${ctx.namespace}" namespace. If the namespace is correct, change name to "${expected}"`,
              );
            else rep.error(`Service account namespace should be equal to "${ctx.namespace}" namespace`);
          }
          return;
        }
        if (name === expected) {
          if (!isDeckhouseNs(ns)) {
            if (ctx.namespace === ns)
              rep.error(
                `Service account namespace should be equal to deckhouse namespaces like "d8-system" or "d8-monitoring". If this namespaces is correct, change name to "${sa}"`,
              );
            else
              rep.error(
                'Service account namespace should be equal to deckhouse namespaces like "d8-system" or "d8-monitoring"',
              );
          }
          return;
        }
        if (name.startsWith('istiod') && ns === 'd8-istio') return;
        return rep.error(`Name of ServiceAccount should be equal to "${sa}" or "${expected}"`);
      }
      return rep.error(`ServiceAccount should be in "${FOR_US}" or "*/rbac-for-us.yaml"`);
    }
    case 'ClusterRole':
    case 'ClusterRoleBinding': {
      const prefix = `d8:${ctx.name}`;
      if (path === FOR_US) {
        if (!name.startsWith(prefix)) rep.error(`Name of ${o.kind} in "${FOR_US}" should start with "${prefix}"`);
      } else if (path.endsWith('rbac-for-us.yaml')) {
        const n = `${prefix}:${subParts(path, '/rbac-for-us.yaml').join(':')}`;
        if (!name.startsWith(prefix)) rep.error(`Name of ${o.kind} should start with "${n}"`);
      } else {
        rep.error(`${o.kind} should be in "${USER_AUTHZ}" or "${FOR_US}" or "*/rbac-for-us.yaml"`);
      }
      return;
    }
    case 'Role':
    case 'RoleBinding': {
      if (path === FOR_US) {
        const prefix = `d8:${ctx.name}`;
        if (name === ctx.name && ns !== ctx.namespace) {
          if (!isDeckhouseNs(ns))
            rep.error(
              `${o.kind} in "${FOR_US}" should be deployed in namespace "d8-monitoring", "d8-system" or "${ctx.namespace}"`,
            );
        } else if (name.startsWith(prefix)) {
          if (!isSystemNs(ns))
            rep.error(`${o.kind} in "${FOR_US}" should be deployed in namespace "default" or "kube-system"`);
        } else if (!isDeckhouseNs(ns)) {
          rep.error(`${o.kind} in "${FOR_US}" should be deployed in namespace "${ctx.namespace}"`);
        }
      } else if (path === TO_US) {
        const prefix = `access-to-${ctx.name}`;
        if (!name.startsWith(prefix)) return rep.error(`${o.kind} in "${TO_US}" should start with "${prefix}"`);
        if (!isDeckhouseNs(ns) && ns !== ctx.namespace)
          rep.error(
            `${o.kind} in "${TO_US}" should be deployed in namespace "d8-system", "d8-monitoring" or "${ctx.namespace}"`,
          );
      } else if (path.endsWith('rbac-for-us.yaml')) {
        const parts = subParts(path, '/rbac-for-us.yaml');
        const local = parts.join(':');
        const global = `${ctx.name}:${local}`;
        const system = `d8:${global}`;
        if (name.startsWith(local)) {
          if (ns !== ctx.namespace)
            rep.error(`${o.kind} with prefix "${local}" should be deployed in namespace "${ctx.namespace}"`);
        } else if (name.startsWith(global)) {
          if (!isDeckhouseNs(ns))
            rep.error(
              `${o.kind} with prefix "${global}" should be deployed in namespace "d8-system" or "d8-monitoring"`,
            );
        } else if (name.startsWith(system)) {
          if (!isSystemNs(ns))
            rep.error(`${o.kind} with prefix "${system}" should be deployed in namespace "default" or "kube-system"`);
        } else rep.error(`${o.kind} in "${path}" should start with "${local}" or "${global}"`);
      } else if (path.endsWith('rbac-to-us.yaml')) {
        const parts = subParts(path, '/rbac-to-us.yaml');
        const local = `access-to-${parts.join('-')}-`;
        const global = `access-to-${ctx.name}-${parts.join('-')}-`;
        if (name.startsWith(local)) {
          if (ns !== ctx.namespace)
            rep.error(`${o.kind} with prefix "${global}" should be deployed in namespace "${ctx.namespace}"`);
        } else if (name.startsWith(global)) {
          if (!isDeckhouseNs(ns))
            rep.error(
              `${o.kind} with prefix "${global}" should be deployed in namespace "d8-system" or "d8-monitoring"`,
            );
        } else rep.error(`${o.kind} should start with "${local}" or "${global}"`);
      } else {
        rep.error(
          `${o.kind} should be in "templates/rbac-for-us.yaml", "templates/rbac-to-us.yaml", ".*/rbac-to-us.yaml" or ".*/rbac-for-us.yaml"`,
        );
      }
      return;
    }
    default:
      if (path.endsWith('rbac-for-us.yaml') || path.endsWith('rbac-to-us.yaml'))
        rep.error(`kind ${o.kind} not allowed`);
  }
}
