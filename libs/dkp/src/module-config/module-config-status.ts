/** Configs that are not modules: never "unknown module" (§3; modsync has no Module named `deckhouse` either). */
const SYSTEM_CONFIG_NAMES: readonly string[] = ['global', 'deckhouse'];

const CONFIG_MESSAGE_UNKNOWN_MODULE = 'Ignored: unknown module name';

export interface ModuleConfigStatusInput {
  /** `metadata.name`: the module name. */
  name: string;
  /** A Module of that name exists. */
  moduleExists: boolean;
  /** `spec.version`; 0 or absent = unset. */
  specVersion?: number | undefined;
  /** The newest settings-schema version the module knows, if known. */
  latestVersion?: number | undefined;
  /** Validation error of `spec.settings` against the module's schema, if any. */
  validationError?: string | undefined;
}

export interface ModuleConfigStatus {
  /** `status.version`: `spec.version`, or the latest known when unset; cleared on validation error. */
  version: string;
  message: string;
}

/**
 * ModuleConfig `status` (§3), first rule that applies: `Ignored: unknown module name` (not for `global` or
 * `deckhouse`) · `Error: <validation error>` (version cleared) · `Error: invalid spec.version, use version <N>` (a
 * version above the latest or below 1) · `Update available, latest spec.settings schema version is <N>` · `""`.
 */
export function moduleConfigStatus(input: ModuleConfigStatusInput): ModuleConfigStatus {
  const spec = input.specVersion ?? 0;
  const latest = input.latestVersion;
  const version = spec !== 0 ? String(spec) : latest !== undefined ? String(latest) : '';
  if (!input.moduleExists && !SYSTEM_CONFIG_NAMES.includes(input.name)) {
    return { version, message: CONFIG_MESSAGE_UNKNOWN_MODULE };
  }
  if (input.validationError !== undefined && input.validationError !== '') {
    return { version: '', message: `Error: ${input.validationError}` };
  }
  if (latest !== undefined && spec !== 0 && (spec > latest || spec < 1 || !Number.isInteger(spec))) {
    return { version, message: `Error: invalid spec.version, use version ${latest}` };
  }
  if (latest !== undefined && spec !== 0 && spec < latest) {
    return { version, message: `Update available, latest spec.settings schema version is ${latest}` };
  }
  return { version, message: '' };
}
