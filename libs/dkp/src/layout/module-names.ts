/** At most this many module names are taken from a source's tag list (§7; sorted first, §10.17). */
export const MODULE_NAMES_CAP = 1500;

/** Longer names are skipped (§7). */
const MODULE_NAME_MAX_LENGTH = 64;

/** The tag `modules` is never a module (§7). */
const RESERVED_MODULE_NAMES: readonly string[] = ['modules'];

/** Why a tag of the source repository was not taken as a module name. */
type SkippedModuleNameReason = 'Reserved' | 'TooLong' | 'NotDNS1123Subdomain' | 'Duplicate' | 'OverCap';

interface SkippedModuleName {
  name: string;
  reason: SkippedModuleNameReason;
}

export interface ModuleNameSelection {
  /** Module names, sorted (byte order, as Go's sort.Strings), at most {@link MODULE_NAMES_CAP}. */
  names: string[];
  skipped: SkippedModuleName[];
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The module catalogue of a source from the tags of its repository: skip `modules`, names longer than 64
 * characters and names that are not DNS-1123 subdomains; sort; then cap at 1500 (§7, §10.17). Skipped tags are
 * reported with a reason so the syncer can log them.
 */
export function selectModuleNames(tags: readonly string[]): ModuleNameSelection {
  const skipped: SkippedModuleName[] = [];
  const seen = new Set<string>();
  const valid: string[] = [];
  for (const name of tags) {
    const reason: SkippedModuleNameReason | undefined = RESERVED_MODULE_NAMES.includes(name)
      ? 'Reserved'
      : name.length > MODULE_NAME_MAX_LENGTH
        ? 'TooLong'
        : !DNS1123_SUBDOMAIN.test(name)
          ? 'NotDNS1123Subdomain'
          : seen.has(name)
            ? 'Duplicate'
            : undefined;
    if (reason !== undefined) {
      skipped.push({ name, reason });
      continue;
    }
    seen.add(name);
    valid.push(name);
  }
  valid.sort(byteOrder);
  for (const name of valid.slice(MODULE_NAMES_CAP)) skipped.push({ name, reason: 'OverCap' });
  return { names: valid.slice(0, MODULE_NAMES_CAP), skipped };
}

/**
 * The key of a module's values in its chart (`.Values.<key>`) and of its image digests: the name in lower camel case,
 * `-` and `_` separating words (`cert-manager` → `certManager`, `e2e-openapi` → `e2eOpenapi`), as DKP and DMT spell it.
 */
export function moduleValuesKey(name: string): string {
  const words = name.split(/[-_]/).filter((w) => w !== '');
  const camel = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}
