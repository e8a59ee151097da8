import { EMBEDDED_POLICY_LABEL } from '../layout/release-labels.ts';
import { normalizePolicy } from './convert-policy.ts';
import { embeddedPolicy } from './embedded-policy.ts';
import type { ModuleUpdatePolicyInput, UpdatePolicySpec } from './types.ts';

/** Everything policy resolution needs for one module, as plain data. */
export interface PolicyContext {
  /** `ModuleConfig.spec.updatePolicy` (empty or absent = the embedded policy). */
  requested?: string | undefined;
  /** Every ModuleUpdatePolicy in the cluster by name, normalised (see {@link policyContext}). */
  named: Readonly<Record<string, UpdatePolicySpec>>;
  /** The embedded policy from the `deckhouse` ModuleConfig (see {@link embeddedPolicy}). */
  embedded: UpdatePolicySpec;
}

/** Builds a {@link PolicyContext} from cluster objects. */
export function policyContext(input: {
  requested?: string | undefined;
  policies: readonly ModuleUpdatePolicyInput[];
  /** `spec.settings` of the `deckhouse` ModuleConfig, if any. */
  deckhouseSettings?: unknown;
}): PolicyContext {
  const named: Record<string, UpdatePolicySpec> = {};
  for (const policy of input.policies) named[policy.metadata.name] = normalizePolicy(policy);
  return { requested: input.requested, named, embedded: embeddedPolicy(input.deckhouseSettings) };
}

/** The policy in force for a module. */
export type ResolvedPolicy =
  | {
      kind: 'Named';
      /** The ModuleUpdatePolicy name: `Module.properties.updatePolicy`, `ModuleSource.status.modules[].policy`. */
      name: string;
      /** The `modules.deckhouse.io/update-policy` label value: the same name. */
      label: string;
      spec: UpdatePolicySpec;
    }
  | {
      kind: 'Embedded';
      /** DKP's name for the embedded policy: `""`. */
      name: '';
      /** Written as `deckhouse` so the UPDATE POLICY column shows it (§10.6). */
      label: typeof EMBEDDED_POLICY_LABEL;
      spec: UpdatePolicySpec;
      /** Set when the ModuleConfig named a ModuleUpdatePolicy that does not exist (so the embedded one applies). */
      missing?: string;
    };

/** Whether a policy label (or requested name) means the embedded policy: `""` or `deckhouse` (§10.6). */
export function isEmbeddedPolicyLabel(label: string | undefined): boolean {
  return label === undefined || label === '' || label === EMBEDDED_POLICY_LABEL;
}

function embedded(context: PolicyContext, missing?: string): ResolvedPolicy {
  return {
    kind: 'Embedded',
    name: '',
    label: EMBEDDED_POLICY_LABEL,
    spec: context.embedded,
    ...(missing === undefined ? {} : { missing }),
  };
}

/**
 * The module's effective policy (§8): the ModuleUpdatePolicy named by `ModuleConfig.spec.updatePolicy` if it
 * exists, otherwise the embedded policy. A ModuleUpdatePolicy literally named `deckhouse` is used when requested.
 */
export function resolvePolicy(context: PolicyContext): ResolvedPolicy {
  const requested = context.requested ?? '';
  if (requested === '') return embedded(context);
  const spec = context.named[requested];
  if (spec !== undefined) return { kind: 'Named', name: requested, label: requested, spec };
  return embedded(context, requested === EMBEDDED_POLICY_LABEL ? undefined : requested);
}

/**
 * The policy a release's `modules.deckhouse.io/update-policy` label names: a ModuleUpdatePolicy of that name if
 * one exists, else the embedded policy for `""`/`deckhouse`, else `undefined` (the named policy is gone).
 */
export function policyForLabel(context: PolicyContext, label: string | undefined): ResolvedPolicy | undefined {
  const name = label ?? '';
  const spec = name === '' ? undefined : context.named[name];
  if (spec !== undefined) return { kind: 'Named', name, label: name, spec };
  return isEmbeddedPolicyLabel(name) ? embedded(context) : undefined;
}
