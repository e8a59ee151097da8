import { parse } from 'yaml';
import { z } from 'zod';
import type { ModuleRequirements, ModuleSource } from '@modsync/k8s';
import { joinRepository, parseRegistrySettings, type RegistryClient } from '@modsync/registry';

/** DKP's weight when `module.yaml` names none (§2, §5). */
export const DEFAULT_MODULE_WEIGHT = 900;

/** The release image holds version.json, changelog.yaml and module.yaml: small files. */
const RELEASE_IMAGE_MAX_BYTES = 1 << 20;
const RELEASE_FILES = new Set(['version.json', 'module.yaml', 'changelog.yaml', 'changelog.yml']);

/** What a ModuleRelease's spec takes from its release image (§5, §7). */
export interface ReleaseMetadata {
  weight: number;
  requirements?: ModuleRequirements | undefined;
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

function parseYaml(raw: Buffer | undefined): unknown {
  if (!raw) return undefined;
  try {
    // A registry's odd YAML (unknown tags) reads as what it is, without warnings on the process's stderr.
    return parse(raw.toString('utf8'), { logLevel: 'error' }) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The metadata of one release image (pure): `module.yaml` weight (default 900) and requirements, `changelog.yaml`
 * (or `.yml`) as a map. Unparsable files read as absent (DKP: an unparsable changelog is empty).
 */
export function parseReleaseMetadata(files: ReadonlyMap<string, Buffer>): ReleaseMetadata {
  const definition = moduleYamlSchema.safeParse(parseYaml(files.get('module.yaml')) ?? {});
  const data = definition.success ? definition.data : {};
  const changelog = parseYaml(files.get('changelog.yaml') ?? files.get('changelog.yml'));
  const requirements = data.requirements && Object.keys(data.requirements).length > 0 ? (data.requirements as ModuleRequirements) : undefined;
  return {
    weight: data.weight ?? DEFAULT_MODULE_WEIGHT,
    ...(requirements ? { requirements } : {}),
    ...(changelog !== null && typeof changelog === 'object' && !Array.isArray(changelog) ? { changelog: changelog as Record<string, unknown> } : {}),
  };
}

/** Reads `R/<module>/release:<version>` of `source` (§7) and parses its metadata. */
export async function readReleaseMetadata(registry: RegistryClient, source: ModuleSource, module: string, version: string, signal?: AbortSignal): Promise<ReleaseMetadata> {
  const settings = parseRegistrySettings(source.spec.registry);
  const files = await registry.readImageFiles(settings, joinRepository(settings, module, 'release'), version, {
    maxBytes: RELEASE_IMAGE_MAX_BYTES,
    filter: (path) => RELEASE_FILES.has(path),
    ...(signal ? { signal } : {}),
  });
  return parseReleaseMetadata(files);
}

/** Tags of the bundle repository `R/<module>` (the step-by-step chain needs them, §9). */
export async function listBundleTags(registry: RegistryClient, source: ModuleSource, module: string): Promise<string[]> {
  const settings = parseRegistrySettings(source.spec.registry);
  return registry.listTags(settings, joinRepository(settings, module));
}
