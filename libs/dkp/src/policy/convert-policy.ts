import { DEFAULT_RELEASE_CHANNEL, parseChannel } from '../layout/channels.ts';
import type { UpdateWindow } from '../windows/update-window.ts';
import type { ModuleUpdatePolicyInput, UpdateMode, UpdatePolicySpec } from './types.ts';
import { parseUpdateMode } from './update-mode.ts';

const MUP_V1ALPHA1 = 'deckhouse.io/v1alpha1';

/** The v1alpha1 CRD default mode (§4). */
const V1ALPHA1_DEFAULT_MODE: UpdateMode = 'AutoPatch';
/** The v1alpha2 CRD default mode (§4, §10.7). */
const V1ALPHA2_DEFAULT_MODE: UpdateMode = 'Auto';

function copyWindows(windows: readonly UpdateWindow[] | undefined): UpdateWindow[] {
  return (windows ?? []).map((w) => ({
    from: w.from,
    to: w.to,
    ...(w.days === undefined ? {} : { days: [...w.days] }),
  }));
}

/**
 * v1alpha1 → v1alpha2 (§10.7): the label selector is dropped, a mode-less policy becomes `AutoPatch` (the v1alpha1
 * default), the channel defaults to `Stable`; `Ignore` is kept (§10.8).
 */
export function convertPolicyV1alpha1(spec: ModuleUpdatePolicyInput['spec']): UpdatePolicySpec {
  return {
    releaseChannel: parseChannel(spec?.releaseChannel ?? '') ?? DEFAULT_RELEASE_CHANNEL,
    update: {
      mode: parseUpdateMode(spec?.update?.mode) ?? V1ALPHA1_DEFAULT_MODE,
      windows: copyWindows(spec?.update?.windows),
    },
  };
}

/**
 * Any stored ModuleUpdatePolicy → the spec decisions read: v1alpha1 through {@link convertPolicyV1alpha1}, v1alpha2
 * (or no apiVersion) with the v1alpha2 defaults (`Auto`, `Stable`). An unknown mode or channel reads as the default.
 */
export function normalizePolicy(policy: ModuleUpdatePolicyInput): UpdatePolicySpec {
  if (policy.apiVersion === MUP_V1ALPHA1) return convertPolicyV1alpha1(policy.spec);
  return {
    releaseChannel: parseChannel(policy.spec?.releaseChannel ?? '') ?? DEFAULT_RELEASE_CHANNEL,
    update: {
      mode: parseUpdateMode(policy.spec?.update?.mode) ?? V1ALPHA2_DEFAULT_MODE,
      windows: copyWindows(policy.spec?.update?.windows),
    },
  };
}
