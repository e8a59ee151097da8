import type { KubeClient, ResourceType } from '@modsync/k8s';

/** One write to the API server, for logs, metrics and the "second pass writes nothing" tests. */
export interface WriteRecord {
  kind: string;
  verb: 'create' | 'update' | 'patch' | 'patch-status' | 'delete';
  name: string;
}

/**
 * Every write a reconcile makes goes through here, so each is counted (metric `modsync_applier_writes_total`) and
 * reported. Updates and patches carry the resourceVersion the decision was made on: a stale decision fails with
 * Conflict and is made again on the fresh object.
 */
export class Writer {
  readonly records: WriteRecord[] = [];
  private readonly kube: KubeClient;
  private readonly onWrite: (record: WriteRecord) => void;

  constructor(kube: KubeClient, onWrite: (record: WriteRecord) => void) {
    this.kube = kube;
    this.onWrite = onWrite;
  }

  private record(kind: string, verb: WriteRecord['verb'], name: string): void {
    const record = { kind, verb, name };
    this.records.push(record);
    this.onWrite(record);
  }

  async create<T extends { metadata: { name: string } }>(type: ResourceType<T>, object: T): Promise<T> {
    const created = await this.kube.create(type, object);
    this.record(type.kind, 'create', object.metadata.name);
    return created;
  }

  /** PUT of the whole object at its resourceVersion. */
  async replace<T extends { metadata: { name: string; resourceVersion?: string } }>(
    type: ResourceType<T>,
    object: T,
  ): Promise<T> {
    const replaced = await this.kube.replace(type, object);
    this.record(type.kind, 'update', object.metadata.name);
    return replaced;
  }

  /** JSON merge patch conditional on `resourceVersion` (of the object or its status). */
  async patch<T>(
    type: ResourceType<T>,
    name: string,
    resourceVersion: string | undefined,
    patch: Record<string, unknown>,
    subresource?: 'status',
  ): Promise<T> {
    const body = {
      ...patch,
      metadata: {
        ...((patch.metadata as Record<string, unknown> | undefined) ?? {}),
        ...(resourceVersion ? { resourceVersion } : {}),
      },
    };
    const patched = await this.kube.mergePatch(type, name, body, subresource ? { subresource } : {});
    this.record(type.kind, subresource ? 'patch-status' : 'patch', name);
    return patched;
  }

  async delete(type: ResourceType, name: string): Promise<boolean> {
    const deleted = await this.kube.delete(type, name);
    if (deleted) this.record(type.kind, 'delete', name);
    return deleted;
  }
}
