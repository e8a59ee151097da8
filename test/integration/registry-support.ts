// Helpers of the registry*.test.ts files: request recording, crafted layers pushed as images, and a test proxy in front
// of the real registry that can tamper with, delay, reset or rate-limit what it forwards.
import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Header } from 'tar';
import {
  REGISTRY_CHANNELS,
  type RegistryClient,
  type RegistryRequestMessage,
  type RegistryRetryMessage,
  type RegistrySettings,
  type RegistryTokenMessage,
} from '@modsync/registry';

export const unique = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function dockerCfg(host: string, username: string, password: string): string {
  return Buffer.from(
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }),
  ).toString('base64');
}

export interface Recorded<T> {
  value: T;
  requests: RegistryRequestMessage[];
  retries: RegistryRetryMessage[];
  tokens: RegistryTokenMessage[];
}

/** Runs `fn` while recording the library's attempts, retries and token fetches for one registry host. */
export async function recorded<T>(host: string, fn: () => Promise<T>): Promise<Recorded<T>> {
  const out = {
    requests: [] as RegistryRequestMessage[],
    retries: [] as RegistryRetryMessage[],
    tokens: [] as RegistryTokenMessage[],
  };
  const subscriptions = [
    [REGISTRY_CHANNELS.request, out.requests],
    [REGISTRY_CHANNELS.retry, out.retries],
    [REGISTRY_CHANNELS.token, out.tokens],
  ] as const;
  const listeners = subscriptions.map(([channel, list]) => {
    const listener = (message: unknown) => {
      if ((message as { registry: string }).registry === host) (list as unknown[]).push(message);
    };
    diagnosticsChannel.subscribe(channel, listener);
    return () => diagnosticsChannel.unsubscribe(channel, listener);
  });
  try {
    return { value: await fn(), ...out };
  } finally {
    for (const unsubscribe of listeners) unsubscribe();
  }
}

/** `op METHOD status|outcome` of each attempt, for readable assertions. */
export const summary = (requests: readonly RegistryRequestMessage[]): string[] =>
  requests.map((r) => `${r.op} ${r.method} ${r.statusCode ?? r.outcome}`);

export interface TarEntrySpec {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  body?: string | Buffer;
  linkpath?: string;
}

/** A tar archive written header by header, so it can hold what a packer refuses (`..`, absolute paths, links out). */
export function craftTar(entries: readonly TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'File';
    const body = typeof entry.body === 'string' ? Buffer.from(entry.body) : (entry.body ?? Buffer.alloc(0));
    const header = Buffer.alloc(512);
    new Header({
      path: entry.path,
      type,
      size: type === 'File' ? body.length : 0,
      mode: type === 'Directory' ? 0o755 : 0o644,
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
    }).encode(header, 0);
    parts.push(header);
    if (type === 'File' && body.length > 0) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha256 = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export interface PushedImage {
  manifestDigest: string;
  layers: { digest: string; size: number; mediaType: string }[];
}

/** Pushes an OCI image made of `layers` (tar or tar+gzip bytes, sniffed) under `repository:tag`. */
export async function pushImage(
  client: RegistryClient,
  settings: RegistrySettings,
  repository: string,
  tag: string,
  layers: readonly Buffer[],
): Promise<PushedImage> {
  const descriptors = [];
  for (const layer of layers) {
    const gzip = layer[0] === 0x1f && layer[1] === 0x8b;
    const { digest, size } = await client.pushBlob(settings, repository, layer);
    descriptors.push({
      mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`,
      digest,
      size,
      diffId: sha256(gzip ? gunzipSync(layer) : layer),
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.diffId) },
    }),
  );
  const configBlob = await client.pushBlob(settings, repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configBlob.digest,
        size: configBlob.size,
      },
      layers: descriptors.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  const { digest } = await client.pushManifest(
    settings,
    repository,
    tag,
    manifest,
    'application/vnd.oci.image.manifest.v1+json',
  );
  return {
    manifestDigest: digest,
    layers: descriptors.map(({ mediaType, digest: d, size }) => ({ mediaType, digest: d, size })),
  };
}

/** A response of the real registry, read whole. */
interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface ProxyExchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the client goes away (or the proxy closes): stop waiting. */
  signal: AbortSignal;
  /** Forward the request to the registry and read its response. */
  forward(): Promise<UpstreamResponse>;
  /** Write `upstream` (possibly altered) back to the client. */
  send(upstream: UpstreamResponse): void;
}

export interface TestProxy {
  /** host:port, to use as the registry in a repo. */
  host: string;
  /** Requests seen, `METHOD path`. */
  seen: string[];
  /** Replace how requests are handled (default: forward untouched). */
  handle: (exchange: ProxyExchange) => Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
]);

/** An HTTP proxy on 127.0.0.1 in front of `target` (host:port of a plain-HTTP registry). */
export async function startProxy(target: string): Promise<TestProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const closing = new AbortController();
  const forwardOnly = async (x: ProxyExchange) => x.send(await x.forward());
  const proxy: TestProxy = {
    host: '',
    seen: [],
    handle: forwardOnly,
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    proxy.seen.push(`${req.method} ${req.url}`);
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const exchange: ProxyExchange = {
      req,
      res,
      signal: AbortSignal.any([gone.signal, closing.signal]),
      forward: () =>
        new Promise((resolve, reject) => {
          const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
          const upstream = httpRequest(
            {
              host: targetHost,
              port: Number(targetPort),
              method: req.method,
              path: req.url,
              headers: { ...headers, host: target },
            },
            (response) => {
              const chunks: Buffer[] = [];
              response.on('data', (c: Buffer) => chunks.push(c));
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
              );
              response.on('error', reject);
            },
          );
          upstream.on('error', reject);
          req.pipe(upstream);
        }),
      send: (upstream) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upstream.headers))
          if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
        if (req.method !== 'HEAD') headers['content-length'] = String(upstream.body.length);
        res.writeHead(upstream.status, headers);
        res.end(req.method === 'HEAD' ? undefined : upstream.body);
      },
    };
    proxy.handle(exchange).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
