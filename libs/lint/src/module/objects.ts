import { createHash } from 'node:crypto';
import { asArray, asRecord, asString, isRecord } from '../fs/yaml.ts';

/** One rendered Kubernetes object, like DMT's storage.StoreObject. */
export class StoreObject {
  readonly raw: Record<string, unknown>;
  /** The template path relative to the module root (`templates/x.yaml`). */
  readonly path: string;
  readonly absPath: string;
  readonly hash: string;

  constructor(raw: Record<string, unknown>, path: string, absPath: string) {
    this.raw = raw;
    this.path = path;
    this.absPath = absPath;
    this.hash = createHash('sha256').update(JSON.stringify(raw)).digest('hex');
  }

  get kind(): string {
    return asString(this.raw['kind']);
  }
  get apiVersion(): string {
    return asString(this.raw['apiVersion']);
  }
  get metadata(): Record<string, unknown> {
    return asRecord(this.raw['metadata']);
  }
  get name(): string {
    return asString(this.metadata['name']);
  }
  get namespace(): string {
    return asString(this.metadata['namespace']);
  }
  get labels(): Record<string, string> {
    return stringMap(this.metadata['labels']);
  }
  get annotations(): Record<string, string> {
    return stringMap(this.metadata['annotations']);
  }
  get spec(): Record<string, unknown> {
    return asRecord(this.raw['spec']);
  }

  /** DMT's Identity: `kind = X ; name = Y[ ; namespace = Z]`. */
  identity(): string {
    const base = `kind = ${this.kind} ; name = ${this.name}`;
    return this.namespace === '' ? base : `${base} ; namespace = ${this.namespace}`;
  }

  indexKey(): string {
    return indexKey(this.kind, this.name, this.namespace);
  }

  /** The pod spec of a workload, or undefined for other kinds. */
  podSpec(): Record<string, unknown> | undefined {
    switch (this.kind) {
      case 'Deployment':
      case 'DaemonSet':
      case 'StatefulSet':
      case 'Job':
      case 'ReplicaSet':
        return asRecord(asRecord(this.spec['template'])['spec']);
      case 'Pod':
        return this.spec;
      case 'CronJob':
        return asRecord(asRecord(asRecord(asRecord(this.spec['jobTemplate'])['spec'])['template'])['spec']);
      default:
        return undefined;
    }
  }

  /** Pod template labels of a controller. */
  podLabels(): Record<string, string> {
    switch (this.kind) {
      case 'Deployment':
      case 'DaemonSet':
      case 'StatefulSet':
        return stringMap(asRecord(asRecord(this.spec['template'])['metadata'])['labels']);
      default:
        return {};
    }
  }

  /** Regular containers (DMT's GetContainers: Job/CronJob/ReplicaSet included, init containers not). */
  containers(): Container[] {
    return asArray(this.podSpec()?.['containers']).filter(isRecord).map(toContainer);
  }

  /** Init containers (DMT's GetInitContainers, which covers no ReplicaSet). */
  initContainers(): Container[] {
    if (this.kind === 'ReplicaSet') return [];
    return asArray(this.podSpec()?.['initContainers']).filter(isRecord).map(toContainer);
  }

  allContainers(): Container[] {
    return [...this.containers(), ...this.initContainers()];
  }

  podSecurityContext(): Record<string, unknown> | undefined {
    const ps = this.podSpec();
    if (!ps) return undefined;
    const sc = ps['securityContext'];
    return isRecord(sc) ? sc : undefined;
  }

  hostNetwork(): boolean {
    return this.podSpec()?.['hostNetwork'] === true;
  }
}

export interface Container {
  name: string;
  image: string;
  raw: Record<string, unknown>;
  securityContext: Record<string, unknown> | undefined;
  env: Array<Record<string, unknown>>;
  ports: Array<Record<string, unknown>>;
  volumeMounts: Array<{ mountPath: string }>;
}

function toContainer(raw: Record<string, unknown>): Container {
  const sc = raw['securityContext'];
  return {
    name: asString(raw['name']),
    image: asString(raw['image']),
    raw,
    securityContext: isRecord(sc) ? sc : undefined,
    env: asArray(raw['env']).filter(isRecord),
    ports: asArray(raw['ports']).filter(isRecord),
    volumeMounts: asArray(raw['volumeMounts'])
      .filter(isRecord)
      .map((m) => ({ mountPath: asString(m['mountPath']) })),
  };
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asRecord(v))) out[k] = typeof val === 'string' ? val : String(val);
  return out;
}

function indexKey(kind: string, name: string, namespace: string): string {
  return `${namespace}/${kind}/${name}`;
}

/** The rendered objects of a module, keyed like DMT's storage (kind, name, namespace). */
export class ObjectStore {
  readonly objects = new Map<string, StoreObject>();

  /** Adds an object; returns an error text when one with the same key already exists (it is replaced). */
  put(obj: StoreObject): string | undefined {
    const key = obj.indexKey();
    const existing = this.objects.has(key);
    this.objects.set(key, obj);
    if (!existing) return undefined;
    if (obj.kind.includes('ClusterIssuer') || obj.namespace.startsWith('d8-cert-manager')) return undefined;
    const readable = obj.namespace === '' ? `${obj.kind}/${obj.name}` : `${obj.namespace}/${obj.kind}/${obj.name}`;
    return `object "${readable}" already exists`;
  }

  has(kind: string, name: string, namespace: string): boolean {
    return this.objects.has(indexKey(kind, name, namespace));
  }

  all(): StoreObject[] {
    return [...this.objects.values()];
  }

  ofKind(kind: string): StoreObject[] {
    return this.all().filter((o) => o.kind === kind);
  }
}
