// One undici Agent per trust setting (system roots, or system roots + a source's CA). Each Agent keeps a keep-alive
// pool per origin. Bounded: the least recently used Agent is closed when more trust settings than the cap appear.
// The Agents honour HTTP_PROXY/HTTPS_PROXY/NO_PROXY (undici's EnvHttpProxyAgent), as the Kubernetes client does.
// Each Agent is composed with the same interceptors (./interceptors.ts), whose state (per-host limits) is shared.
import { getCACertificates, rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { BoundedMap } from '../bounded-map.ts';
import type { RegistrySettings } from '../settings.ts';

export interface DispatcherPoolOptions {
  readonly connectTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConcurrentPerHost: number;
  readonly maxTrustStores: number;
}

function systemRoots(): string[] {
  try {
    return getCACertificates('default');
  } catch {
    return [...rootCertificates];
  }
}

export class DispatcherPool {
  readonly #options: DispatcherPoolOptions;
  readonly #interceptors: readonly Dispatcher.DispatcherComposeInterceptor[];
  readonly #agents: BoundedMap<string, Dispatcher>;
  #closed = false;

  /** `interceptors` as undici's `compose` takes them: the first is the innermost. */
  constructor(options: DispatcherPoolOptions, interceptors: readonly Dispatcher.DispatcherComposeInterceptor[]) {
    this.#options = options;
    this.#interceptors = interceptors;
    this.#agents = new BoundedMap(options.maxTrustStores, {
      onEvict: (agent) => {
        // Requests in flight finish first; close() only refuses new ones.
        agent.close().catch(() => {});
      },
    });
  }

  get size(): number {
    return this.#agents.size;
  }

  for(settings: RegistrySettings): Dispatcher {
    if (this.#closed) throw new Error('registry client is closed');
    let agent = this.#agents.get(settings.trustKey);
    if (agent === undefined) {
      const ca = settings.ca === undefined ? {} : { ca: [...systemRoots(), settings.ca] };
      agent = new EnvHttpProxyAgent({
        connections: this.#options.maxConcurrentPerHost,
        keepAliveTimeout: this.#options.keepAliveTimeoutMs,
        connect: { timeout: this.#options.connectTimeoutMs, ...ca },
        // Through a proxy the registry's TLS is set up inside the CONNECT tunnel: the same trust there.
        requestTls: ca,
      }).compose(...this.#interceptors);
      this.#agents.set(settings.trustKey, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }
}
