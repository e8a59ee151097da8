// Test support: a fake registry on a loopback server, dockerCfg builders and a tiny image builder.
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../digest.ts';
import { MediaTypes } from '../manifest/media-types.ts';
import { type FakeAuth, FakeRegistry } from './fake-registry.ts';
import { startServer, type TestServer } from './http-server.ts';
import { craftTar } from './tar.ts';

export interface FakeRegistryServer {
  readonly fake: FakeRegistry;
  readonly server: TestServer;
  /** Requests of the given method and path prefix. */
  count(filter?: { method?: string; path?: string | RegExp }): number;
  close(): Promise<void>;
}

export async function startFakeRegistry(
  auth: FakeAuth = { kind: 'none' },
  tls?: { key: string; cert: string },
): Promise<FakeRegistryServer> {
  const fake = new FakeRegistry(auth);
  const server = await startServer(fake.handler, tls);
  fake.origin = server.origin;
  return {
    fake,
    server,
    count(filter = {}) {
      return server.requests.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method) &&
          (filter.path === undefined ||
            (typeof filter.path === 'string' ? r.url.startsWith(filter.path) : filter.path.test(r.url))),
      ).length;
    },
    close: () => server.close(),
  };
}

export function dockerCfg(host: string, entry: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ auths: { [host]: entry } })).toString('base64');
}

export interface TestImage {
  readonly config: Buffer;
  readonly layer: Buffer;
  readonly manifest: Buffer;
  readonly manifestDigest: string;
}

/** An OCI image with one tar+gzip layer holding `files`. */
export function buildImage(
  files: Record<string, string | Buffer>,
  mediaType: string = MediaTypes.OCI_MANIFEST,
): TestImage {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const layer = gzipSync(craftTar(Object.entries(files).map(([path, body]) => ({ path, body }))));
  const docker = mediaType === MediaTypes.DOCKER_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG,
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: docker ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_GZIP,
          digest: sha256Digest(layer),
          size: layer.length,
        },
      ],
    }),
  );
  return { config, layer, manifest, manifestDigest: sha256Digest(manifest) };
}

/** Store an image straight into the fake (no HTTP). */
export function seedImage(
  fake: FakeRegistry,
  repository: string,
  tag: string,
  image: TestImage,
  mediaType: string = MediaTypes.OCI_MANIFEST,
): void {
  fake.putBlob(image.config);
  fake.putBlob(image.layer);
  fake.putManifest(repository, tag, image.manifest, mediaType);
}
