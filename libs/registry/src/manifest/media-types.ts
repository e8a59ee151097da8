// Manifest and layer media types this client understands.

export const MediaTypes = {
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER_ZSTD: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DOCKER_LAYER_GZIP: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type ManifestMediaType =
  | typeof MediaTypes.OCI_MANIFEST
  | typeof MediaTypes.OCI_INDEX
  | typeof MediaTypes.DOCKER_MANIFEST
  | typeof MediaTypes.DOCKER_MANIFEST_LIST;

/** Sent as `Accept` on manifest requests, image types first. */
export const MANIFEST_ACCEPT = [
  MediaTypes.OCI_MANIFEST,
  MediaTypes.DOCKER_MANIFEST,
  MediaTypes.OCI_INDEX,
  MediaTypes.DOCKER_MANIFEST_LIST,
].join(', ');

/** `Content-Type` without parameters, lowercased: `application/json; charset=utf-8` → `application/json`. */
export function baseMediaType(contentType: string | readonly string[] | undefined): string | undefined {
  const value = typeof contentType === 'string' ? contentType : contentType?.[0];
  if (value === undefined) return undefined;
  const base = value.split(';', 1)[0]!.trim().toLowerCase();
  return base === '' ? undefined : base;
}

/** `image`, `index`, or undefined for anything else (schema 1, artifacts, …). */
export function manifestKind(mediaType: string | undefined): 'image' | 'index' | undefined {
  switch (mediaType) {
    case MediaTypes.OCI_MANIFEST:
    case MediaTypes.DOCKER_MANIFEST:
      return 'image';
    case MediaTypes.OCI_INDEX:
    case MediaTypes.DOCKER_MANIFEST_LIST:
      return 'index';
    default:
      return undefined;
  }
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

/**
 * Compression announced by a layer media type (`+gzip`, `.tar.gzip`, `+zstd`; nondistributable variants included);
 * undefined when the type is not a tar layer. Extraction sniffs the bytes anyway; this is for callers that filter.
 */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  const m = mediaType.toLowerCase();
  if (
    !/^application\/vnd\.(?:oci\.image\.layer(?:\.nondistributable)?\.v1\.tar|docker\.image\.rootfs\.(?:foreign\.)?diff\.tar)/.test(
      m,
    )
  ) {
    return undefined;
  }
  if (/(?:\+|\.)gzip$/.test(m)) return 'gzip';
  if (/\+zstd$/.test(m)) return 'zstd';
  if (/\.tar$/.test(m)) return 'none';
  return undefined;
}
