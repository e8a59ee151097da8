// Typed models of the five deckhouse.io kinds (dkp-contract.md §1–§5). Field names follow DKP's CRDs exactly;
// optional everywhere the API server may omit them.

const GROUP = 'deckhouse.io';
export const V1ALPHA1 = `${GROUP}/v1alpha1`;
const V1ALPHA2 = `${GROUP}/v1alpha2`;

interface ObjectMeta {
  name: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

type ConditionStatus = 'True' | 'False' | 'Unknown';

interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

// --- ModuleSource (ms) ---

type RegistryScheme = 'HTTP' | 'HTTPS';

interface ModuleSourceRegistry {
  repo: string;
  scheme?: RegistryScheme;
  dockerCfg?: string;
  ca?: string;
}

interface ModuleSourceSpec {
  registry: ModuleSourceRegistry;
  /** Deprecated, ignored. */
  releaseChannel?: string;
  scanInterval?: string;
}

export interface ModuleSourceModuleStatus {
  name: string;
  version?: string;
  checksum?: string;
  pullError?: string;
  error?: string;
  policy?: string;
  overridden?: boolean;
}

export interface ModuleSourceStatus {
  syncTime?: string;
  phase?: 'Active' | 'Terminating';
  modulesCount?: number;
  message?: string;
  modules?: ModuleSourceModuleStatus[];
  /** modsync's Ready condition (DKP has none on a source: docs/dkp-contract.md §1). */
  conditions?: Condition[];
}

export interface ModuleSource {
  apiVersion: typeof V1ALPHA1;
  kind: 'ModuleSource';
  metadata: ObjectMeta;
  spec: ModuleSourceSpec;
  status?: ModuleSourceStatus;
}

// --- Module ---

type ModulePhase =
  | 'Unavailable'
  | 'Available'
  | 'Downloading'
  | 'DownloadingError'
  | 'Reconciling'
  | 'Installing'
  | 'HooksDisabled'
  | 'WaitSyncTasks'
  | 'Downloaded'
  | 'Conflict'
  | 'Ready'
  | 'Error';

interface ModuleRequirements {
  deckhouse?: string;
  kubernetes?: string;
  bootstrapped?: string;
  modules?: Record<string, string>;
}

export interface ModuleProperties {
  weight?: number;
  stage?: string;
  source?: string;
  releaseChannel?: string;
  version?: string;
  updatePolicy?: string;
  namespace?: string;
  subsystems?: string[];
  exclusiveGroup?: string;
  critical?: boolean;
  availableSources?: string[];
  requirements?: ModuleRequirements;
  disableOptions?: { confirmation?: boolean; message?: string; messages?: Record<string, string> };
}

interface ModuleStatus {
  phase?: ModulePhase;
  /** Shown in the READY column: the IsReady condition's status, or `Error` when the phase is Error (dkp-contract.md §10.10). */
  ready?: 'True' | 'False' | 'Error';
  hooksState?: string;
  conditions?: Condition[];
}

export interface Module {
  apiVersion: typeof V1ALPHA1;
  kind: 'Module';
  metadata: ObjectMeta;
  properties?: ModuleProperties;
  status?: ModuleStatus;
}

// --- ModuleConfig (mc) ---

interface ModuleConfigSpec {
  enabled?: boolean;
  version?: number;
  settings?: Record<string, unknown>;
  updatePolicy?: string;
  source?: string;
  maintenance?: 'NoResourceReconciliation';
}

interface ModuleConfigStatus {
  version?: string;
  message?: string;
}

export interface ModuleConfig {
  apiVersion: typeof V1ALPHA1;
  kind: 'ModuleConfig';
  metadata: ObjectMeta;
  spec?: ModuleConfigSpec;
  status?: ModuleConfigStatus;
}

// --- ModuleUpdatePolicy (mup) ---

type ReleaseChannel = 'Alpha' | 'Beta' | 'EarlyAccess' | 'Stable' | 'RockSolid' | 'Lts';
type UpdateMode = 'Auto' | 'Manual' | 'AutoPatch' | 'Ignore';
type WeekDay = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';

export interface UpdateWindow {
  from?: string;
  to: string;
  days?: WeekDay[];
}

interface ModuleUpdatePolicySpec {
  releaseChannel?: ReleaseChannel;
  update: { mode?: UpdateMode; windows?: UpdateWindow[] };
}

export interface ModuleUpdatePolicy {
  apiVersion: typeof V1ALPHA2 | typeof V1ALPHA1;
  kind: 'ModuleUpdatePolicy';
  metadata: ObjectMeta;
  spec: ModuleUpdatePolicySpec & {
    /** v1alpha1 only; pruned on storage. */
    moduleReleaseSelector?: { labelSelector: Record<string, unknown> };
  };
}

// --- ModuleRelease (mr) ---

type ModuleReleasePhase = 'Pending' | 'Deployed' | 'Superseded' | 'Suspended' | 'Skipped' | 'Terminating';

interface UpdateConstraints {
  versions?: { from?: string; to?: string }[];
}

interface ModuleReleaseSpec {
  moduleName: string;
  version: string;
  weight?: number;
  applyAfter?: string;
  requirements?: ModuleRequirements;
  updateConstraints?: UpdateConstraints;
  /** Newer DKP serialises updateConstraints under this name; read both, write updateConstraints. */
  update?: UpdateConstraints;
  changelog?: Record<string, unknown>;
}

interface ModuleReleaseStatus {
  phase?: ModuleReleasePhase;
  message?: string;
  transitionTime?: string;
  approved?: boolean;
  size?: number;
  pullDuration?: string;
}

export interface ModuleRelease {
  apiVersion: typeof V1ALPHA1;
  kind: 'ModuleRelease';
  metadata: ObjectMeta;
  spec: ModuleReleaseSpec;
  status?: ModuleReleaseStatus;
}

export type DeckhouseObject = ModuleSource | Module | ModuleConfig | ModuleUpdatePolicy | ModuleRelease;
