// Label, annotation and finalizer names DKP uses on module objects (dkp-contract.md §1, §3, §5). One place, so no
// caller spells them twice.

/** Labels on a ModuleRelease. */
export const RELEASE_LABELS = {
  module: 'module',
  source: 'source',
  /** md5 hex of the channel image digest (a digest is too long for a label value). */
  releaseChecksum: 'release-checksum',
  updatePolicy: 'modules.deckhouse.io/update-policy',
  /** Lower-case phase, only for Deployed/Superseded/Suspended/Skipped. */
  status: 'status',
} as const;

/** Annotations on a ModuleRelease. */
export const RELEASE_ANNOTATIONS = {
  approved: 'modules.deckhouse.io/approved',
  /** DeckhouseRelease's annotation, named by older module messages and by the guide; accepted too. */
  legacyApproved: 'release.deckhouse.io/approved',
  applyNow: 'modules.deckhouse.io/apply-now',
  legacyApplyNow: 'release.deckhouse.io/apply-now',
  force: 'modules.deckhouse.io/force',
  legacyForce: 'release.deckhouse.io/force',
  reinstall: 'modules.deckhouse.io/reinstall',
  changeCause: 'modules.deckhouse.io/change-cause',
  isUpdating: 'modules.deckhouse.io/isUpdating',
  notified: 'modules.deckhouse.io/notified',
  registrySpecChanged: 'modules.deckhouse.io/registry-spec-changed',
} as const;

/** Annotations on a ModuleSource. */
export const SOURCE_ANNOTATIONS = {
  registrySpecChecksum: 'modules.deckhouse.io/registry-spec-checksum',
  forceDelete: 'modules.deckhouse.io/force-delete',
} as const;

export const FINALIZERS = {
  sourceModuleExists: 'modules.deckhouse.io/module-exists',
  sourceReleaseExists: 'modules.deckhouse.io/release-exists',
  releaseExistOnFs: 'modules.deckhouse.io/exist-on-fs',
  configRegistered: 'modules.deckhouse.io/module-registered',
} as const;
