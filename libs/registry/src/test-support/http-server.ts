// Test support: a loopback node:http(s) server on port 0 that records requests and runs a scripted handler.
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly origin: string;
  /** `127.0.0.1:<port>`: the repo host. */
  readonly host: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Most requests handled at the same time. */
  readonly maxInFlight: number;
  /** TCP connections accepted. */
  readonly connections: number;
  handler: Handler;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;
  const state = {
    handler,
    get maxInFlight() {
      return maxInFlight;
    },
  };
  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    try {
      await state.handler(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(err));
    }
  };
  const server: Server =
    tls === undefined ? createHttpServer(listener) : createHttpsServer({ key: tls.key, cert: tls.cert }, listener);
  server.keepAliveTimeout = 30_000;
  server.on(tls === undefined ? 'connection' : 'secureConnection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    get connections() {
      return connections;
    },
    get handler() {
      return state.handler;
    },
    set handler(h: Handler) {
      state.handler = h;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function ociError(res: ServerResponse, status: number, code: string, message: string, detail?: unknown): void {
  json(res, status, { errors: [{ code, message, ...(detail === undefined ? {} : { detail }) }] });
}
