// @modsync/dkp: the DKP module-source domain as pure functions over plain data (dkp-contract.md). No I/O, no clock:
// `now` is always a parameter. Every public name is listed here, or in the two zod-free modules exported on their own
// (`@modsync/dkp/constraint`, `@modsync/dkp/module-names`) so that `modsync lint` does not load zod; nothing else is
// part of the API.

// errors

// names of labels, annotations, finalizers
export { RELEASE_ANNOTATIONS, RELEASE_LABELS } from './names.ts';

// versions (constraints: `@modsync/dkp/constraint`)
export { formatVersion, normalizeVersion } from './version.ts';

// layout: channels, references, catalogue, bundle tags, release names and labels
export {
  DEFAULT_RELEASE_CHANNEL,
  channelTag,
  type ReleaseChannel,
} from './layout/channels.ts';
export { locateInSource, moduleRepository, releaseRepository } from './layout/references.ts';
export {
  MODULE_NAMES_CAP,
  moduleValuesKey,
  selectModuleNames,
} from './layout/module-names.ts';
export { releaseName } from './layout/release-name.ts';
export { defaultModuleNamespace, moduleNamespace } from './layout/module-namespace.ts';
export {
  releaseLabels,
  releaseStatusLabel,
  type ReleasePhase,
} from './layout/release-labels.ts';

// windows
export {
  isInUpdateWindow,
  nextWindowOpening,
} from './windows/update-window.ts';
export { formatKubeTime, formatMessageTime } from './windows/format-time.ts';

// policy
export type { ModuleUpdatePolicyInput } from './policy/types.ts';
export { embeddedPolicy } from './policy/embedded-policy.ts';
export {
  policyContext,
  policyForLabel,
  resolvePolicy,
  type PolicyContext,
  type ResolvedPolicy,
} from './policy/resolve-policy.ts';

// releases
export type { PlatformState } from './releases/types.ts';
export {
  decideReleases,
  type ReleaseOutcome,
} from './releases/decide-releases.ts';
export { releasesToCreate } from './releases/releases-to-create.ts';

export { releaseModule, releaseSource, toReleaseInput } from './releases/release-input.ts';
export { enabledModuleVersions, planModule, type ModulePlan } from './releases/plan.ts';

// sources and modules
export { selectSource, type SourceSelection } from './source/select-source.ts';
export { offeredRelease } from './source/offered-release.ts';
export {
  mergeConditions,
  type Condition,
} from './source/conditions.ts';
export { installStatus, type InstallPhase } from './source/install-status.ts';
export {
  MODULE_CONDITIONS,
  deriveModuleStatus,
  readyColumn,
  type ModuleStatusDecision,
} from './source/module-status.ts';
export { pullErrorText } from './source/pull-error.ts';
export {
  diffSourceStatus,
  summarizeSourceStatus,
  type ModuleSyncResult,
  type SourceSyncOutcome,
} from './source/source-status.ts';
export { diffSync, type ModuleSnapshot } from './source/diff-sync.ts';

// module configs
export { moduleConfigStatus } from './module-config/module-config-status.ts';
export {
  SOURCE_FINALIZERS,
  decideSourceDeletion,
  withSourceFinalizers,
  withoutSourceFinalizers,
} from './source/source-deletion.ts';
export {
  DEFAULT_MODULE_WEIGHT,
  RELEASE_IMAGE_FILES,
  RELEASE_IMAGE_MAX_BYTES,
  parseReleaseMetadata,
  type ReleaseMetadata,
} from './layout/release-metadata.ts';
export {
  MODULE_FAILURES,
  describeFailure,
  failureConditions,
  type ModuleFailure,
} from './source/module-failures.ts';
