import { describe, expect, it } from 'vitest';
import { baseMediaType, layerCompression, manifestKind, MediaTypes } from './media-types.ts';
import { type ImageIndex, selectPlatformManifest } from './schema.ts';

describe('layerCompression', () => {
  it.each([
    ['application/vnd.oci.image.layer.v1.tar', 'none'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
    ['APPLICATION/VND.OCI.IMAGE.LAYER.V1.TAR+GZIP', 'gzip'],
    ['application/vnd.oci.image.config.v1+json', undefined],
    ['application/vnd.cncf.helm.chart.content.v1.tar+gzip', undefined],
    ['application/octet-stream', undefined],
  ])('%s → %s', (mediaType, want) => {
    expect(layerCompression(mediaType)).toBe(want);
  });
});

describe('manifestKind / baseMediaType', () => {
  it.each([
    [MediaTypes.OCI_MANIFEST, 'image'],
    [MediaTypes.DOCKER_MANIFEST, 'image'],
    [MediaTypes.OCI_INDEX, 'index'],
    [MediaTypes.DOCKER_MANIFEST_LIST, 'index'],
    ['application/vnd.docker.distribution.manifest.v1+prettyjws', undefined],
    ['application/json', undefined],
    [undefined, undefined],
  ])('%s → %s', (mediaType, want) => {
    expect(manifestKind(mediaType)).toBe(want);
  });

  it.each([
    ['application/json; charset=utf-8', 'application/json'],
    [' Application/VND.OCI.image.manifest.v1+json ', 'application/vnd.oci.image.manifest.v1+json'],
    [['application/x', 'application/y'], 'application/x'],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %s', (header, want) => {
    expect(baseMediaType(header)).toBe(want);
  });
});

describe('selectPlatformManifest', () => {
  const d = (
    n: string,
    platform?: { os: string; architecture: string; variant?: string },
    annotations?: Record<string, string>,
  ) => ({
    mediaType: MediaTypes.OCI_MANIFEST,
    digest: `sha256:${n.repeat(64)}`,
    size: 100,
    ...(platform === undefined ? {} : { platform }),
    ...(annotations === undefined ? {} : { annotations }),
  });
  const index = (...manifests: ReturnType<typeof d>[]): ImageIndex => ({ schemaVersion: 2, manifests });
  const linuxAmd64 = { os: 'linux', architecture: 'amd64' };

  it.each([
    {
      name: 'picks linux/amd64 among others',
      idx: index(d('1', { os: 'linux', architecture: 'arm64' }), d('2', linuxAmd64)),
      want: '2',
    },
    { name: 'picks the only image', idx: index(d('3', { os: 'linux', architecture: 'arm64' })), want: '3' },
    { name: 'picks the only image without platform', idx: index(d('4')), want: '4' },
    {
      name: 'ignores attestations when counting',
      idx: index(d('5', { os: 'linux', architecture: 'arm64' }), d('6', { os: 'unknown', architecture: 'unknown' })),
      want: '5',
    },
    {
      name: 'ignores docker attestation annotation',
      idx: index(
        d('7', linuxAmd64, { 'vnd.docker.reference.type': 'attestation-manifest' }),
        d('8', { os: 'linux', architecture: 'arm' }),
      ),
      want: '8',
    },
    {
      name: 'no match among several',
      idx: index(d('9', { os: 'linux', architecture: 'arm64' }), d('a', { os: 'windows', architecture: 'amd64' })),
      want: undefined,
    },
    { name: 'empty index', idx: index(), want: undefined },
  ])('$name', ({ idx, want }) => {
    const picked = selectPlatformManifest(idx, linuxAmd64);
    expect(picked?.digest.slice(7, 8)).toBe(want);
  });

  it('compares the variant only when asked', () => {
    const idx = index(
      d('1', { os: 'linux', architecture: 'arm', variant: 'v6' }),
      d('2', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    );
    expect(selectPlatformManifest(idx, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest.slice(7, 8)).toBe(
      '2',
    );
    expect(selectPlatformManifest(idx, { os: 'linux', architecture: 'arm' })?.digest.slice(7, 8)).toBe('1');
  });
});
