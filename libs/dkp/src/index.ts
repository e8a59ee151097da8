// @modsync/dkp: the DKP module-source domain as pure functions over plain data (dkp-contract.md). No I/O, no clock:
// `now` is always a parameter. Every public name is listed here; nothing else is part of the API.

// errors
export { DKP_ERROR_CODES, InvalidChannelError, InvalidVersionError, type DkpErrorCode } from './errors.ts';

// names of labels, annotations, finalizers
export { CONFIG_ANNOTATIONS, FINALIZERS, RELEASE_ANNOTATIONS, RELEASE_LABELS, SOURCE_ANNOTATIONS } from './names.ts';

// versions
export { compareVersions, formatVersion, mustParseVersion, normalizeVersion, parseVersion } from './version.ts';

// layout: channels, references, catalogue, bundle tags, release names and labels
export {
  DEFAULT_RELEASE_CHANNEL,
  RELEASE_CHANNELS,
  channelTag,
  mustParseChannel,
  parseChannel,
  type ReleaseChannel,
} from './layout/channels.ts';
export {
  bundleReference,
  channelReleaseReference,
  moduleRepository,
  releaseRepository,
  versionReleaseReference,
} from './layout/references.ts';
export {
  MODULE_NAMES_CAP,
  MODULE_NAME_MAX_LENGTH,
  RESERVED_MODULE_NAMES,
  selectModuleNames,
  type ModuleNameSelection,
  type SkippedModuleName,
  type SkippedModuleNameReason,
} from './layout/module-names.ts';
export { BUNDLE_VERSION_TAG, bundleVersions } from './layout/bundle-versions.ts';
export { defaultModuleNamespace, moduleNamespace } from './layout/module-namespace.ts';
export { parseReleaseName, releaseName } from './layout/release-name.ts';
export {
  EMBEDDED_POLICY_LABEL,
  registrySpecChecksum,
  releaseChecksum,
  releaseLabels,
  releaseStatusLabel,
  type ReleaseLabelsInput,
  type ReleasePhase,
} from './layout/release-labels.ts';

// windows
export {
  isInUpdateWindow,
  nextWindowOpening,
  parseClock,
  type UpdateWindow,
} from './windows/update-window.ts';
export { formatKubeTime, formatMessageTime } from './windows/format-time.ts';

// policy
export { UPDATE_MODES, type ModuleUpdatePolicyInput, type UpdateMode, type UpdatePolicySpec } from './policy/types.ts';
export { parseUpdateMode } from './policy/update-mode.ts';
export {
  MUP_V1ALPHA1,
  MUP_V1ALPHA2,
  V1ALPHA1_DEFAULT_MODE,
  V1ALPHA2_DEFAULT_MODE,
  convertPolicyV1alpha1,
  normalizePolicy,
} from './policy/convert-policy.ts';
export { EMBEDDED_DEFAULT_MODE, embeddedPolicy } from './policy/embedded-policy.ts';
export {
  isEmbeddedPolicyLabel,
  policyContext,
  policyForLabel,
  resolvePolicy,
  type PolicyContext,
  type ResolvedPolicy,
} from './policy/resolve-policy.ts';
export { isPatchStep, updateType, type UpdateType } from './policy/update-type.ts';
export { isApplyNow, isApproved, isForced, parseGoBool } from './policy/annotations.ts';
export { deployGates, type DeployGates } from './policy/deploy-gates.ts';

// releases
export type { PlatformState, ReleaseInput, ReleaseRequirements, UpdateConstraint } from './releases/types.ts';
export {
  checkConstraint,
  checkRequirements,
  requirementMessage,
  requirementsMessage,
  type RequirementFailure,
} from './releases/requirements.ts';
export {
  APPROVAL_MESSAGE,
  IGNORE_POLICY_MESSAGE,
  holdMessage,
  holdRecheckAt,
  type HoldReason,
  type HoldReasonName,
} from './releases/hold-reasons.ts';
export {
  orderTask,
  skipMessage,
  type LowerState,
  type OrderTask,
  type OrderedRelease,
  type SkipReason,
} from './releases/release-order.ts';
export { RELEASE_HISTORY_KEEP, releasesToDelete, type DeletedRelease } from './releases/release-history.ts';
export {
  decideReleases,
  type DecideReleasesInput,
  type ReleaseOutcome,
  type ReleaseVerdict,
  type ReleasesDecision,
} from './releases/decide-releases.ts';
export {
  isUpdatingSequence,
  releasesToCreate,
  type ChangeCause,
  type ReleasePlan,
  type ReleaseToCreate,
  type ReleasesToCreateInput,
} from './releases/releases-to-create.ts';

// sources and modules
export { selectSource, type SelectSourceInput, type SourceSelection } from './source/select-source.ts';
export {
  mergeConditions,
  type Condition,
  type ConditionPatch,
  type ConditionStatus,
} from './source/conditions.ts';
export { installStatus, type InstallPhase, type InstallStatus } from './source/install-status.ts';
export {
  MODULE_CONDITIONS,
  MODULE_REASONS,
  deriveModuleStatus,
  readyColumn,
  type ModulePhase,
  type ModuleStatusDecision,
  type ModuleStatusInput,
} from './source/module-status.ts';
export {
  goValue,
  pullErrorText,
  registryErrorText,
  type RegistryDiagnostic,
  type RegistryErrorInfo,
} from './source/pull-error.ts';
export {
  SOURCE_CONDITION_READY,
  SOURCE_MESSAGE_DELETE_BLOCKED,
  SOURCE_MESSAGE_ERRORS,
  SOURCE_MESSAGE_READY,
  SOURCE_REASONS,
  UNKNOWN_VERSION,
  diffSourceStatus,
  summarizeSourceStatus,
  type ModuleSyncResult,
  type SourceModuleStatus,
  type SourceStatus,
  type SourceStatusField,
  type SourceSyncOutcome,
} from './source/source-status.ts';
export { diffSync, type DiscoveryChange, type ModuleSnapshot } from './source/diff-sync.ts';

// module configs
export {
  CONFIG_MESSAGE_UNKNOWN_MODULE,
  SYSTEM_CONFIG_NAMES,
  moduleConfigStatus,
  type ModuleConfigStatus,
  type ModuleConfigStatusInput,
} from './module-config/module-config-status.ts';
export {
  SOURCE_FINALIZERS,
  decideSourceDeletion,
  withSourceFinalizers,
  withoutSourceFinalizers,
  type DeployedReleaseOfSource,
  type SourceDeletion,
  type SourceDeletionInput,
} from './source/source-deletion.ts';
export {
  DEFAULT_MODULE_WEIGHT,
  RELEASE_IMAGE_FILES,
  RELEASE_IMAGE_MAX_BYTES,
  parseReleaseMetadata,
  type ReleaseMetadata,
  type ReleaseMetadataRequirements,
} from './layout/release-metadata.ts';
export {
  FAILURE_CONDITIONS,
  MODULE_FAILURES,
  describeFailure,
  failureConditions,
  type DescribedFailure,
  type FailureNext,
  type FailureOwner,
  type FailureRule,
  type ModuleFailure,
  type ModuleFailureKind,
} from './source/module-failures.ts';
