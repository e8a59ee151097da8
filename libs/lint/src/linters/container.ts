import type { Reporter } from '../core/reporter.ts';
import { containerExcluded, kindExcluded, stringList } from '../config/settings.ts';
import { basename, readText } from '../fs/files.ts';
import { asArray, asRecord, asString, isRecord, tryParseYaml } from '../fs/yaml.ts';
import type { ModuleContext } from '../module/module.ts';
import type { Container, StoreObject } from '../module/objects.ts';
import { guard, ruleReporter } from './linter.ts';
import type { Linter } from './linter.ts';

const ID = 'container';
const DEFAULT_REGISTRY = 'registry.example.com/deckhouse';
const POD_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Job', 'CronJob'];
const CONTROLLERS = ['Deployment', 'DaemonSet', 'StatefulSet'];
const PRIORITY_CLASSES = [
  'system-node-critical',
  'system-cluster-critical',
  'cluster-medium',
  'cluster-low',
  'cluster-critical',
  'staging',
  'standby',
  'develop',
  'production-high',
  'production-medium',
  'production-low',
];
export const BUILTIN_MOUNT_PATHS = new Set(['/sys', '/sys/fs/cgroup', '/dev', '/proc', '/tmp']);

/**
 * The repository of an image reference the way go-containerregistry's weak NewRepository reads it
 * (registry defaults to Docker Hub, `library/` for single names); undefined when it does not parse.
 */
function imageRepository(image: string): string | undefined {
  const ref = image.split('@')[0] ?? '';
  if (ref === '') return undefined;
  let registry = 'index.docker.io';
  let repo = ref;
  const slash = ref.indexOf('/');
  if (slash > 0) {
    const first = ref.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      repo = ref.slice(slash + 1);
    }
  }
  if (!/^[a-zA-Z0-9.-]+(:[0-9]+)?$/.test(registry)) return undefined;
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  if (repo === '' || !repo.split('/').every((c) => component.test(c))) return undefined;
  if (registry === 'index.docker.io' && !repo.includes('/')) repo = `library/${repo}`;
  return `${registry}/${repo}`;
}

function hasDuplicates(items: string[]): boolean {
  return new Set(items).size !== items.length;
}

function probeValid(probe: Record<string, unknown>): boolean {
  return (
    ['exec', 'grpc', 'httpGet', 'tcpSocket'].filter((h) => probe[h] !== undefined && probe[h] !== null).length === 1
  );
}

/** Paths declared in mount-points.yaml files, collected only when the module has images/ (as DMT). */
export function collectMountPoints(ctx: ModuleContext): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  if (!ctx.tree.dirs.includes('images')) return byFile;
  for (const f of ctx.tree.files) {
    if (basename(f.rel) !== 'mount-points.yaml') continue;
    const [value, err] = tryParseYaml(readText(f.abs));
    if (err) continue;
    const doc = asRecord(value);
    const entries = [...asArray(doc['dirs']), ...asArray(doc['files'])].filter(
      (e): e is string => typeof e === 'string',
    );
    if (entries.length) byFile.set(f.abs, entries);
  }
  return byFile;
}

const IMAGE_RAW_RE = /image:.*helm_lib_module_image.*"([^"]+)"[^"]*$/;

export const containerLinter: Linter = {
  id: ID,
  description: 'Lint container objects',
  rules: [
    'object-recommended-labels',
    'object-namespace-labels',
    'object-api-version',
    'object-priority-class',
    'dns-policy',
    'controller-security-context',
    'object-revision-history-limit',
    'name-duplicates',
    'read-only-root-filesystem',
    'no-new-privileges',
    'seccomp-profile',
    'host-network-ports',
    'env-variables-duplicates',
    'image-digest',
    'container-image-name',
    'image-pull-policy',
    'resources',
    'security-context',
    'ports',
    'liveness-probe',
    'readiness-probe',
    'mount-points',
    'sys-cgroup-mount',
  ],
  run(ctx, report) {
    const r = (rule: string): Reporter => ruleReporter(ctx, report, ID, rule);
    const ex = (key: string): unknown[] => ctx.settings.excludes(ID, key);
    const objects = ctx.store.all();
    const mountPoints = new Set<string>();
    for (const entries of collectMountPoints(ctx).values())
      for (const e of entries) mountPoints.add(e.replace(/\/+$/, ''));
    const mountExcludes = stringList(ex('mount-points'));
    const imageCache = new Map<string, string[]>();

    for (const o of objects) {
      guard(r('object-recommended-labels').withFile(o.path), o.path, () => checkObject(o, objects, r, ex));
      const all = o.allContainers();
      if (all.length === 0) continue;
      const rep = (rule: string): Reporter => r(rule).withFile(o.path);
      const cid = (c: Container, sep = ' ; '): string => `${o.identity()}${sep}container = ${c.name}`;
      const enabled = (key: string, c: Container): boolean => !containerExcluded(ex(key), o.kind, o.name, c.name);
      guard(rep('name-duplicates'), o.path, () => {
        if (hasDuplicates(all.map((c) => c.name)))
          rep('name-duplicates').withObject(o.identity()).error('Duplicate container name');
      });
      if (POD_KINDS.includes(o.kind)) {
        for (const c of all) {
          if (!enabled('read-only-root-filesystem', c)) continue;
          const sc = c.securityContext;
          const x = rep('read-only-root-filesystem').withObject(cid(c));
          if (!sc) x.error("Container's SecurityContext is missing");
          else if (sc['readOnlyRootFilesystem'] === undefined || sc['readOnlyRootFilesystem'] === null)
            x.error("Container's SecurityContext missing parameter ReadOnlyRootFilesystem");
          else if (sc['readOnlyRootFilesystem'] !== true)
            x.error("Container's SecurityContext has `ReadOnlyRootFilesystem: false`, but it must be `true`");
        }
        for (const c of all) {
          if (!enabled('no-new-privileges', c)) continue;
          const sc = c.securityContext;
          const x = rep('no-new-privileges').withObject(cid(c));
          if (!sc) x.error("Container's SecurityContext is missing - cannot verify allowPrivilegeEscalation setting");
          else if (sc['allowPrivilegeEscalation'] === undefined || sc['allowPrivilegeEscalation'] === null) {
            x.error(
              "Container's SecurityContext missing parameter AllowPrivilegeEscalation - should be set to false to prevent privilege escalation",
            );
          } else if (sc['allowPrivilegeEscalation'] === true) {
            x.error(
              "Container's SecurityContext has `AllowPrivilegeEscalation: true`, but it must be `false` to prevent privilege escalation attacks",
            );
          }
        }
        const podProfile = asRecord(o.podSecurityContext()?.['seccompProfile']);
        for (const c of all) {
          if (!enabled('seccomp-profile', c)) continue;
          const own = c.securityContext?.['seccompProfile'];
          const profile = isRecord(own) ? own : Object.keys(podProfile).length ? podProfile : undefined;
          const x = rep('seccomp-profile').withObject(cid(c));
          if (!profile)
            x.warn(
              "No seccomp profile specified - consider explicitly setting seccompProfile.type to 'RuntimeDefault' for better security posture",
            );
          else if (profile['type'] === 'RuntimeDefault') continue;
          else if (profile['type'] === 'Unconfined')
            x.error(
              "Container has seccompProfile.type set to 'Unconfined' which disables seccomp filtering and poses security risks - use 'RuntimeDefault' instead",
            );
          else if (profile['type'] === 'Localhost') {
            if (asString(profile['localhostProfile']) === '')
              x.error("Container has seccompProfile.type set to 'Localhost' but localhostProfile is empty");
            else x.warn("Container uses custom seccomp profile - ensure it's properly configured and maintained");
          } else x.error(`Container has unknown seccompProfile.type: ${asString(profile['type'])}`);
        }
        const hostNet = o.hostNetwork();
        for (const c of all) {
          if (!enabled('host-network-ports', c)) continue;
          for (const p of c.ports) {
            const cp = Number(p['containerPort'] ?? 0);
            const hp = Number(p['hostPort'] ?? 0);
            if (hostNet && (cp < 4200 || cp >= 4300)) {
              rep('host-network-ports')
                .withObject(cid(c))
                .withValue(cp)
                .error("Pod running in hostNetwork and it's container port doesn't fit the range [4200,4299]");
            }
            if (hp !== 0 && (hp < 4200 || hp >= 4300))
              rep('host-network-ports')
                .withObject(cid(c))
                .withValue(hp)
                .error("Container uses hostPort that doesn't fit the range [4200,4299]");
          }
        }
        for (const c of all) {
          if (!enabled('sys-cgroup-mount', c)) continue;
          const paths = c.volumeMounts.map((m) => m.mountPath.replace(/\/+$/, ''));
          if (paths.includes('/sys') && !paths.includes('/sys/fs/cgroup')) {
            rep('sys-cgroup-mount')
              .withObject(cid(c))
              .withValue('/sys/fs/cgroup')
              .error(
                `Container "${c.name}" mounts "/sys" but not "/sys/fs/cgroup": on a hardened (read-only) containerd the nested cgroup mount is not propagated together with "/sys", so "/sys/fs/cgroup" must be mounted explicitly`,
              );
          }
        }
      }
      for (const c of all) {
        if (hasDuplicates(c.env.map((e) => asString(e['name'])))) {
          rep('env-variables-duplicates')
            .withObject(cid(c, '; '))
            .error('Container has two env variables with same name');
        }
      }
      for (const c of all) {
        if (!enabled('image-digest', c)) continue;
        const repo = imageRepository(c.image);
        const x = rep('image-digest').withObject(cid(c, '; '));
        if (repo === undefined) x.error(`Cannot parse repository from image: ${c.image}`);
        else if (repo !== DEFAULT_REGISTRY) {
          x.error(
            `All images must be deployed from the same default registry: ${DEFAULT_REGISTRY} current: ${repo.slice(repo.indexOf('/') + 1)}`,
          );
        }
      }
      guard(rep('container-image-name'), o.path, () => {
        let images = imageCache.get(o.path);
        if (!images) {
          const f = ctx.files.get(o.path);
          images = [];
          if (f)
            for (const line of readText(f.abs).split('\n')) {
              const m = IMAGE_RAW_RE.exec(line);
              if (m) images.push(m[1]!);
            }
          imageCache.set(o.path, images);
        }
        for (const image of images)
          if (image.includes('_'))
            rep('container-image-name')
              .withMaxLevel(undefined)
              .error(`Image name "${image}" must not contain underscores`);
      });
      if (o.namespace === 'd8-system' && o.kind === 'Deployment' && o.name === 'deckhouse') {
        const c = all[0]!;
        if (asString(c.raw['imagePullPolicy']) !== 'Always')
          rep('image-pull-policy')
            .withObject(cid(c, '; '))
            .withValue(asString(c.raw['imagePullPolicy']))
            .error('Container imagePullPolicy should be unspecified or "Always"');
      } else {
        for (const c of all) {
          const p = asString(c.raw['imagePullPolicy']);
          if (p !== '' && p !== 'IfNotPresent')
            rep('image-pull-policy')
              .withObject(cid(c, '; '))
              .withValue(p)
              .error('Container imagePullPolicy should be unspecified or "IfNotPresent"');
        }
      }
      for (const c of all) {
        if (!enabled('resources', c)) continue;
        const eph = asRecord(asRecord(c.raw['resources'])['requests'])['ephemeral-storage'];
        if (eph === undefined || eph === null || eph === 0 || eph === '0' || eph === '') {
          rep('resources')
            .withObject(cid(c, '; '))
            .error('Ephemeral storage for container is not defined in Resources.Requests');
        }
      }
      for (const c of all) {
        if (enabled('security-context', c) && !c.securityContext)
          rep('security-context').withObject(cid(c, '; ')).error('Container ContainerSecurityContext is not defined');
      }
      for (const c of all) {
        if (!enabled('ports', c)) continue;
        for (const p of c.ports) {
          const cp = Number(p['containerPort'] ?? 0);
          if (cp <= 1024) rep('ports').withObject(cid(c, '; ')).withValue(cp).error('Container uses port <= 1024');
        }
      }
      if (mountPoints.size > 0 && CONTROLLERS.includes(o.kind)) {
        for (const c of all) {
          for (const m of c.volumeMounts) {
            const p = m.mountPath.replace(/\/+$/, '');
            if (BUILTIN_MOUNT_PATHS.has(p) || mountExcludes.includes(p)) continue;
            if (!mountPoints.has(p))
              rep('mount-points')
                .withObject(o.identity())
                .warn(`Container "${c.name}" mountPath "${m.mountPath}" is not declared in any mount-points.yaml`);
          }
        }
      }
      if (CONTROLLERS.includes(o.kind)) {
        for (const c of o.containers()) {
          for (const [rule, field] of [
            ['liveness-probe', 'livenessProbe'],
            ['readiness-probe', 'readinessProbe'],
          ] as const) {
            if (!enabled(rule, c)) continue;
            const probe = c.raw[field];
            const x = rep(rule).withObject(cid(c));
            if (!isRecord(probe)) x.error(`Container does not contain ${rule}`);
            else if (!probeValid(probe)) x.error(`Container does not use correct ${rule}`);
          }
        }
      }
    }
  },
};

function checkObject(
  o: StoreObject,
  objects: StoreObject[],
  r: (rule: string) => Reporter,
  ex: (k: string) => unknown[],
): void {
  const labels = o.labels;
  const lr = r('object-recommended-labels').withFile(o.path).withObject(o.identity()).withValue(labels);
  if (!('module' in labels)) lr.error('Object does not have the label "module"');
  if (!('heritage' in labels)) lr.error('Object does not have the label "heritage"');

  if (
    o.kind === 'Namespace' &&
    o.name.startsWith('d8-') &&
    !kindExcluded(ex('object-namespace-labels'), o.kind, o.name)
  ) {
    const hasRules = objects.some((x) => x.kind === 'PrometheusRule' && x.namespace === o.name);
    if (hasRules && labels['prometheus.deckhouse.io/rules-watcher-enabled'] !== 'true') {
      r('object-namespace-labels')
        .withFile(o.path)
        .withObject(o.identity())
        .withValue(labels)
        .error('Namespace object does not have the label "prometheus.deckhouse.io/rules-watcher-enabled"');
    }
  }

  const wanted: Record<string, string> = {
    Role: 'rbac.authorization.k8s.io/v1',
    RoleBinding: 'rbac.authorization.k8s.io/v1',
    ClusterRole: 'rbac.authorization.k8s.io/v1',
    ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
    Deployment: 'apps/v1',
    DaemonSet: 'apps/v1',
    StatefulSet: 'apps/v1',
    Ingress: 'networking.k8s.io/v1',
    PriorityClass: 'scheduling.k8s.io/v1',
    PodSecurityPolicy: 'policy/v1beta1',
    NetworkPolicy: 'networking.k8s.io/v1',
  };
  const want = wanted[o.kind];
  if (want && o.apiVersion !== want)
    r('object-api-version')
      .withFile(o.path)
      .withObject(o.identity())
      .error(`Object defined using deprecated api version, wanted "${want}"`);

  if (CONTROLLERS.includes(o.kind)) {
    if (!kindExcluded(ex('priority-class'), o.kind, o.name)) {
      const pc = asString(o.podSpec()?.['priorityClassName']);
      const x = r('object-priority-class').withFile(o.path).withObject(o.identity()).withValue(pc);
      if (pc === '') x.error('Priority class must not be empty');
      else if (!PRIORITY_CLASSES.includes(pc)) x.error('Priority class is not allowed');
    }
    if (!kindExcluded(ex('dns-policy'), o.kind, o.name) && o.hostNetwork()) {
      const dns = asString(o.podSpec()?.['dnsPolicy']);
      if (dns !== 'ClusterFirstWithHostNet')
        r('dns-policy')
          .withFile(o.path)
          .withObject(o.identity())
          .withValue(dns)
          .error('dnsPolicy must be `ClusterFirstWithHostNet` when hostNetwork is `true`');
    }
  }
  if (POD_KINDS.includes(o.kind) && !kindExcluded(ex('controller-security-context'), o.kind, o.name)) {
    const sc = o.podSecurityContext();
    const x = r('controller-security-context').withFile(o.path).withObject(o.identity());
    if (!sc) x.error("Object's SecurityContext is not defined");
    else {
      const nonRoot = sc['runAsNonRoot'];
      const user = sc['runAsUser'];
      const group = sc['runAsGroup'];
      if (nonRoot === undefined || nonRoot === null) x.error("Object's SecurityContext missing parameter RunAsNonRoot");
      if (user === undefined || user === null) x.error("Object's SecurityContext missing parameter RunAsUser");
      if (group === undefined || group === null) x.error("Object's SecurityContext missing parameter RunAsGroup");
      if (
        nonRoot !== undefined &&
        nonRoot !== null &&
        user !== undefined &&
        user !== null &&
        group !== undefined &&
        group !== null
      ) {
        const value = `${String(user)}:${String(group)}`;
        if (nonRoot === true && !((user === 65534 && group === 65534) || (user === 64535 && group === 64535))) {
          x.withValue(value).error(
            "Object's SecurityContext has `RunAsNonRoot: true`, but RunAsUser:RunAsGroup differs from 65534:65534 (nobody) or 64535:64535 (deckhouse)",
          );
        }
        if (nonRoot === false && (user !== 0 || group !== 0))
          x.withValue(value).error(
            "Object's SecurityContext has `RunAsNonRoot: false`, but RunAsUser:RunAsGroup differs from 0:0",
          );
      }
    }
  }
  if (o.kind === 'Deployment') {
    const limit = o.spec['revisionHistoryLimit'];
    const x = r('object-revision-history-limit').withFile(o.path).withObject(o.identity());
    if (limit === undefined || limit === null)
      x.error('Deployment spec.revisionHistoryLimit must be less or equal to 2');
    else if (Number(limit) > 2)
      x.withValue(limit).error('Deployment spec.revisionHistoryLimit must be less or equal to 2');
  }
}
