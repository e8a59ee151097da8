import type { ReleaseChannel } from '../layout/channels.ts';
import type { UpdateWindow } from '../windows/update-window.ts';

/** `spec.update.mode` (§4). `Ignore` exists only in v1alpha1 but is honoured whatever version stored it (§10.8). */
export const UPDATE_MODES = ['Auto', 'AutoPatch', 'Manual', 'Ignore'] as const;

export type UpdateMode = (typeof UPDATE_MODES)[number];

/** A ModuleUpdatePolicy spec after defaults and conversion: the shape every decision reads. */
export interface UpdatePolicySpec {
  releaseChannel: ReleaseChannel;
  update: {
    mode: UpdateMode;
    windows: UpdateWindow[];
  };
}

/** A ModuleUpdatePolicy as read from the cluster, either version; only the fields decisions need. */
export interface ModuleUpdatePolicyInput {
  metadata: { name: string };
  /** `deckhouse.io/v1alpha1` or `deckhouse.io/v1alpha2`; absent = v1alpha2, the storage version. */
  apiVersion?: string | undefined;
  spec?:
    | {
        releaseChannel?: string | undefined;
        update?: { mode?: string | undefined; windows?: readonly UpdateWindow[] | undefined } | undefined;
        /** v1alpha1 only; dropped by conversion. */
        moduleReleaseSelector?: unknown;
      }
    | undefined;
}
