import { parse } from 'yaml';
import { z } from 'zod';

/** DKP's weight when `module.yaml` names none (dkp-contract.md §2, §5). */
export const DEFAULT_MODULE_WEIGHT = 900;

/** The release image holds version.json, changelog.yaml and module.yaml: small files (§7). */
export const RELEASE_IMAGE_MAX_BYTES = 1 << 20;

/** The files of a release image modsync reads (§7). */
export const RELEASE_IMAGE_FILES: ReadonlySet<string> = new Set([
  'version.json',
  'module.yaml',
  'changelog.yaml',
  'changelog.yml',
]);

/** A release's requirements as `module.yaml` states them (§5). */
interface ReleaseMetadataRequirements {
  deckhouse?: string | undefined;
  kubernetes?: string | undefined;
  bootstrapped?: string | undefined;
  modules?: Record<string, string> | undefined;
}

/** What a ModuleRelease's spec takes from its release image (§5, §7). */
export interface ReleaseMetadata {
  weight: number;
  requirements?: ReleaseMetadataRequirements | undefined;
  changelog?: Record<string, unknown> | undefined;
}

const constraint = z.union([z.string(), z.number()]).transform(String);
const moduleYamlSchema = z.object({
  weight: z.coerce.number().int().min(0).optional().catch(undefined),
  requirements: z
    .object({
      deckhouse: constraint.optional(),
      kubernetes: constraint.optional(),
      bootstrapped: z.union([z.string(), z.boolean()]).transform(String).optional(),
      modules: z.record(z.string(), constraint).optional(),
    })
    .optional()
    .catch(undefined),
});

function parseYaml(raw: Uint8Array | undefined): unknown {
  if (!raw) return undefined;
  try {
    // A registry's odd YAML (unknown tags) reads as what it is, without warnings on the process's stderr.
    return parse(Buffer.from(raw).toString('utf8'), { logLevel: 'error' }) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The metadata of one release image (pure): `module.yaml` weight (default 900) and requirements, `changelog.yaml`
 * (or `.yml`) as a map. Unparsable files read as absent (DKP: an unparsable changelog is empty).
 */
export function parseReleaseMetadata(files: ReadonlyMap<string, Uint8Array>): ReleaseMetadata {
  const definition = moduleYamlSchema.safeParse(parseYaml(files.get('module.yaml')) ?? {});
  const data = definition.success ? definition.data : {};
  const changelog = parseYaml(files.get('changelog.yaml') ?? files.get('changelog.yml'));
  const requirements = data.requirements && Object.keys(data.requirements).length > 0 ? data.requirements : undefined;
  return {
    weight: data.weight ?? DEFAULT_MODULE_WEIGHT,
    ...(requirements ? { requirements } : {}),
    ...(changelog !== null && typeof changelog === 'object' && !Array.isArray(changelog)
      ? { changelog: changelog as Record<string, unknown> }
      : {}),
  };
}
