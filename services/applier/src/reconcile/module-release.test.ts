import { describe, expect, it } from 'vitest';
import type { ModuleRelease, ModuleSource, OwnerReference } from '@modsync/k8s';
import { desiredOwnerReferences } from './module-release.ts';

const SOURCE_REF: OwnerReference = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  name: 'example',
  uid: 'uid-1',
  controller: true,
};
const OTHER_REF: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'uid-2' };

const release = (ownerReferences: OwnerReference[] | undefined): ModuleRelease => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleRelease',
  metadata: {
    name: 'm-v1.0.0',
    labels: { source: 'example', module: 'm' },
    ...(ownerReferences ? { ownerReferences } : {}),
  },
  spec: { moduleName: 'm', version: 'v1.0.0' },
});
const source = (over: Partial<ModuleSource['metadata']> = {}): ModuleSource => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'ModuleSource',
  metadata: { name: 'example', uid: 'uid-1', ...over },
  spec: { registry: { repo: 'r.example/modules' } },
});

describe('desiredOwnerReferences (dkp-contract.md §1 "Deletion", §5)', () => {
  it.each([
    {
      why: 'Deployed: the source reference comes off',
      refs: [SOURCE_REF],
      phase: 'Deployed',
      src: source(),
      expected: [],
    },
    {
      why: 'Deployed: other owners stay',
      refs: [OTHER_REF, SOURCE_REF],
      phase: 'Deployed',
      src: source(),
      expected: [OTHER_REF],
    },
    {
      why: 'Deployed without the reference: nothing to write',
      refs: [],
      phase: 'Deployed',
      src: source(),
      expected: undefined,
    },
    {
      why: 'Pending and owned: nothing to write',
      refs: [SOURCE_REF],
      phase: 'Pending',
      src: source(),
      expected: undefined,
    },
    {
      why: 'Superseded, not owned, source there: owned again',
      refs: undefined,
      phase: 'Superseded',
      src: source(),
      expected: [SOURCE_REF],
    },
    {
      why: 'Superseded, source gone: stays unowned',
      refs: undefined,
      phase: 'Superseded',
      src: undefined,
      expected: undefined,
    },
    {
      why: 'Superseded, source being deleted: stays unowned',
      refs: undefined,
      phase: 'Superseded',
      src: source({ deletionTimestamp: '2026-12-06T00:00:00Z' }),
      expected: undefined,
    },
    {
      why: 'Superseded, a different source of that name (no uid): stays unowned',
      refs: undefined,
      phase: 'Superseded',
      src: source({ uid: undefined }),
      expected: undefined,
    },
  ])('$why', ({ refs, phase, src, expected }) => {
    expect(desiredOwnerReferences(release(refs), phase, src)).toEqual(expected);
  });
});
