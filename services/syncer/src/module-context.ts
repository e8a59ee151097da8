import {
  policyContext,
  resolvePolicy,
  selectSource,
  type ModuleUpdatePolicyInput,
  type ReleaseChannel,
} from '@modsync/dkp';
import type { Module, ModuleConfig } from '@modsync/k8s';

/** What the cluster says about one module of one source, as plain data. */
export interface ModuleContextInput {
  source: string;
  module: string;
  config: ModuleConfig | undefined;
  moduleObject: Module | undefined;
  policies: readonly ModuleUpdatePolicyInput[];
  /** `spec.settings` of the `deckhouse` ModuleConfig. */
  deckhouseSettings: unknown;
}

export interface ModuleContext {
  /** The channel whose release image the sync resolves (the effective policy's). */
  channel: ReleaseChannel;
  /** `status.modules[].policy`: the ModuleUpdatePolicy name, `""` for the embedded policy. */
  policy: string;
  /** Enabled and served from this source: only then does its pull error set the source's summary message. */
  inUse: boolean;
}

/** The channel, policy and use of a module on a source (dkp-contract.md §8 policy choice, §9 step 3, §10.16). */
export function moduleContext(input: ModuleContextInput): ModuleContext {
  const policy = resolvePolicy(
    policyContext({
      requested: input.config?.spec?.updatePolicy,
      policies: input.policies,
      deckhouseSettings: input.deckhouseSettings,
    }),
  );
  const enabled = input.config?.spec?.enabled === true;
  const available = new Set(input.moduleObject?.properties?.availableSources ?? []);
  available.add(input.source);
  const selection = selectSource({
    enabled,
    configSource: input.config?.spec?.source,
    currentSource: input.moduleObject?.properties?.source,
    availableSources: [...available],
  });
  return {
    channel: policy.spec.releaseChannel,
    policy: policy.name,
    inUse: enabled && selection.kind === 'Selected' && selection.source === input.source,
  };
}
