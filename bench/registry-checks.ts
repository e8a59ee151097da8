// Requests per "has it moved?" check, counted on @modsync/registry's request channel (one message per HTTP attempt,
// token fetches included): a fresh client's first check, then unchanged checks.
import diagnosticsChannel from 'node:diagnostics_channel';
import {
  createRegistryClient,
  REGISTRY_CHANNELS,
  type RegistryRequestMessage,
  type RegistrySettings,
} from '@modsync/registry';

export interface CheckCount {
  /** Attempts of the first check, `METHOD status` (`token GET 200` for a token fetch). */
  first: string[];
  /** Mean attempts per unchanged check. */
  steady: number;
  /** The unchanged checks' attempts grouped, e.g. `HEAD 200 ×20`. */
  steadyOps: string;
  /** Requests the token server saw during the whole count (set by the caller). */
  tokenServerRequests?: number;
}

const describe = (m: RegistryRequestMessage) =>
  `${m.op === 'token' ? 'token ' : ''}${m.method} ${m.statusCode ?? m.outcome}`;

export async function countChecks(
  settings: RegistrySettings,
  repository: string,
  reference: string,
  digest: string,
  checks: number,
): Promise<CheckCount> {
  await using client = createRegistryClient();
  let seen: RegistryRequestMessage[] = [];
  const onRequest = (message: unknown) => {
    if ((message as RegistryRequestMessage).registry === settings.host) seen.push(message as RegistryRequestMessage);
  };
  diagnosticsChannel.subscribe(REGISTRY_CHANNELS.request, onRequest);
  try {
    const check = async () => {
      const head = await client.headManifest(settings, repository, reference);
      if (head.digest !== digest) throw new Error(`${settings.host}: digest ${head.digest}, expected ${digest}`);
    };
    await check();
    const first = seen.map(describe);
    seen = [];
    for (let i = 0; i < checks; i++) await check();
    const groups = new Map<string, number>();
    for (const m of seen) groups.set(describe(m), (groups.get(describe(m)) ?? 0) + 1);
    return { first, steady: seen.length / checks, steadyOps: [...groups].map(([op, n]) => `${op} ×${n}`).join(', ') };
  } finally {
    diagnosticsChannel.unsubscribe(REGISTRY_CHANNELS.request, onRequest);
  }
}
