// A TCP proxy on 127.0.0.1 that delays every chunk, in both directions, by a fixed time: a registry "far away" for the
// scale-out figure. Bounded in connections, in bytes held per direction and in lifetime (it closes itself).
import { createConnection, createServer, type Socket } from 'node:net';

export interface LatencyProxyOptions {
  /** Where to forward, on loopback. */
  targetHost: string;
  targetPort: number;
  /** Added to every chunk, each way. @defaultValue 20 */
  delayMs?: number;
  /** Connections open at once; further ones are refused. @defaultValue 512 */
  maxConnections?: number;
  /** Bytes held (delayed or unsent) per direction of a connection before its reader is paused. @defaultValue 1_048_576 */
  maxPendingBytes?: number;
  /** The proxy closes itself after this long. @defaultValue 900_000 */
  lifetimeMs?: number;
}

export interface LatencyProxy {
  /** `127.0.0.1:<port>`, as a ModuleSource's repo starts. */
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far and chunks forwarded. */
  stats(): { connections: number; chunks: number };
  /** Stops listening and drops every connection (idempotent). */
  close(): Promise<void>;
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const delayMs = options.delayMs ?? 20;
  const maxPending = options.maxPendingBytes ?? 1 << 20;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  let chunks = 0;
  let closed: Promise<void> | undefined;

  /** Forwards `from` to `to`, each chunk `delayMs` late; order is kept (timers of one duration fire in order). */
  const delayedPipe = (from: Socket, to: Socket) => {
    let held = 0;
    const tooMuch = () => held + to.writableLength > maxPending;
    from.on('data', (chunk: Buffer) => {
      held += chunk.length;
      if (tooMuch()) from.pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        held -= chunk.length;
        chunks++;
        if (!to.destroyed) to.write(chunk);
        if (from.isPaused() && !tooMuch()) from.resume();
      }, delayMs);
      timers.add(timer);
    });
    to.on('drain', () => {
      if (from.isPaused() && !tooMuch()) from.resume();
    });
    from.on('end', () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        to.end();
      }, delayMs);
      timers.add(timer);
    });
  };

  const server = createServer((client) => {
    if (sockets.size >= (options.maxConnections ?? 512) * 2) {
      client.destroy();
      return;
    }
    connections++;
    const upstream = createConnection({ host: options.targetHost, port: options.targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream);
    delayedPipe(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('latency proxy: no address');

  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(lifetime);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  const lifetime = setTimeout(() => void close(), options.lifetimeMs ?? 900_000);
  lifetime.unref();

  return {
    host: `127.0.0.1:${address.port}`,
    port: address.port,
    stats: () => ({ connections, chunks }),
    close,
  };
}
