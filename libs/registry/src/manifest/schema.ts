// zod schemas of OCI / Docker v2 manifests and indexes, and the platform pick for an index.
import { z } from 'zod';
import { isValidDigest } from '../reference.ts';

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string().refine(isValidDigest, 'digest must be sha256:<hex> or sha512:<hex>'),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  artifactType: z.string().optional(),
  platform: z
    .object({
      architecture: z.string(),
      os: z.string(),
      'os.version': z.string().optional(),
      'os.features': z.array(z.string()).optional(),
      variant: z.string().optional(),
    })
    .optional(),
});

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type Descriptor = z.infer<typeof descriptorSchema>;
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type ImageIndex = z.infer<typeof imageIndexSchema>;

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}

function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/**
 * The index entry for `platform` (variant compared only when asked for), else the only image when there is exactly
 * one (attestations aside), else undefined.
 */
export function selectPlatformManifest(index: ImageIndex, platform: Platform): Descriptor | undefined {
  const candidates = index.manifests.filter((d) => !isAttestation(d));
  const match = candidates.find(
    (d) =>
      d.platform !== undefined &&
      d.platform.os === platform.os &&
      d.platform.architecture === platform.architecture &&
      (platform.variant === undefined || d.platform.variant === platform.variant),
  );
  if (match !== undefined) return match;
  return candidates.length === 1 ? candidates[0] : undefined;
}
