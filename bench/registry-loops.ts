// The two HEAD-manifest loops of the registry benchmark: @modsync/registry's headManifest, and a raw undici loop doing
// the least a correct check must (HEAD with the manifest Accept list on a keep-alive pool, read Docker-Content-Digest).
// Same concurrency, same pool size; each counts the TCP connections it opens (undici's diagnostics channel).
import diagnosticsChannel from 'node:diagnostics_channel';
import { Agent } from 'undici';
import { createRegistryClient, MANIFEST_ACCEPT, type RegistrySettings } from '@modsync/registry';

export interface LoopResult {
  requests: number;
  errors: number;
  ms: number;
  perSecond: number;
  /** CPU time (user + system) of this process per request, µs: the client's own cost, whatever the server's speed. */
  cpuPerRequestUs: number;
}

export interface HeadLoop {
  /** Runs `concurrency` workers back to back for `ms`, then reports. */
  run(ms: number): Promise<LoopResult>;
  /** Median latency of every request measured so far, ms. */
  p50(): number;
  /** TCP connections opened while this loop ran. */
  connections(): number;
  close(): Promise<void>;
}

/** Latencies kept per loop (the rest are counted but not kept): bounded memory whatever the rate. */
const MAX_SAMPLES = 200_000;
/** A loop that keeps failing is broken, not slow: stop it. */
const MAX_ERRORS = 100;

function headLoop(concurrency: number, once: () => Promise<void>, close: () => Promise<void>): HeadLoop {
  const latencies: number[] = [];
  let connections = 0;
  const onConnected = () => {
    connections++;
  };
  return {
    async run(ms) {
      diagnosticsChannel.subscribe('undici:client:connected', onConnected);
      let requests = 0;
      let errors = 0;
      let lastError: unknown;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const end = started + ms;
      const worker = async () => {
        while (performance.now() < end && errors < MAX_ERRORS) {
          const t = performance.now();
          try {
            await once();
            requests++;
            if (latencies.length < MAX_SAMPLES) latencies.push(performance.now() - t);
          } catch (err) {
            errors++;
            lastError = err;
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: concurrency }, worker));
      } finally {
        diagnosticsChannel.unsubscribe('undici:client:connected', onConnected);
      }
      if (errors >= MAX_ERRORS) throw new Error(`${errors} failed requests, the last: ${String(lastError)}`);
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(cpu);
      return {
        requests,
        errors,
        ms: elapsed,
        perSecond: requests / (elapsed / 1000),
        cpuPerRequestUs: (used.user + used.system) / Math.max(1, requests),
      };
    },
    p50() {
      const sorted = [...latencies].sort((a, b) => a - b);
      return sorted[sorted.length >> 1] ?? Number.NaN;
    },
    connections: () => connections,
    close,
  };
}

/** `client.headManifest` with the client a throughput run wants: no request budget, a pool as wide as the loop. */
export async function libraryLoop(
  settings: RegistrySettings,
  repository: string,
  reference: string,
  digest: string,
  concurrency: number,
): Promise<HeadLoop> {
  const client = createRegistryClient({ maxConcurrentPerHost: concurrency, requestsPerSecondPerHost: Infinity });
  return headLoop(
    concurrency,
    async () => {
      const head = await client.headManifest(settings, repository, reference);
      if (head.digest !== digest) throw new Error(`digest ${head.digest}, expected ${digest}`);
    },
    () => client.close(),
  );
}

/** undici's Agent directly: `reset: false` keeps the connection after a HEAD, as the library does (undici closes it by default). */
export async function rawUndiciLoop(
  settings: RegistrySettings,
  repository: string,
  reference: string,
  digest: string,
  concurrency: number,
): Promise<HeadLoop> {
  if (settings.credentials !== undefined || settings.scheme !== 'HTTP')
    throw new Error('the raw loop is for an anonymous plain-HTTP registry');
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const origin = settings.origin;
  const path = `/v2/${repository}/manifests/${reference}`;
  const headers = { accept: MANIFEST_ACCEPT, 'user-agent': 'modsync-bench-raw' };
  return headLoop(
    concurrency,
    async () => {
      const response = await agent.request({ origin, path, method: 'HEAD', headers, reset: false });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`HEAD ${origin}${path}: ${response.statusCode}`);
      if (response.headers['docker-content-digest'] !== digest)
        throw new Error(`digest ${String(response.headers['docker-content-digest'])}, expected ${digest}`);
    },
    () => agent.close(),
  );
}
