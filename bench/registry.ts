#!/usr/bin/env node
// The registry benchmark: HEAD-manifest throughput of @modsync/registry against a raw undici loop, both on
// the same local registry container in the same run, same concurrency, both warm; and the requests one "has it moved?"
// check costs with anonymous, Basic and token auth. Prints figures; not a timed test. Starts and stops its own
// containers (loopback only) and stops by itself.
//   node_modules/.bin/node bench/registry.ts [--concurrency 8] [--rounds 30] [--seconds 0.5]
// Short rounds alternate library and raw (which goes first alternates too); the ratio is the geometric mean of the
// per-round ratios (each library round against its adjacent raw round), which cancels drift from other load on the
// machine better than a ratio of overall rates; the ratio of totals and the spread of round ratios are shown beside it.
// Client CPU per request is also shown: the library's own overhead, whatever the registry's speed.
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { releaseRepository } from '@modsync/dkp';
import { createRegistryClient, parseRegistrySettings, type RegistrySettings } from '@modsync/registry';
import { startEnvironment, type Environment } from '../test/env/environment.ts';
import { startRegistry, startTokenServer, type TestRegistry, type TestTokenServer } from '../test/env/registry.ts';
import { ModulePublisher } from '../test/fixtures/publisher.ts';
import { stopOnSignalsAndLimit } from './harness.ts';
import { countChecks, type CheckCount } from './registry-checks.ts';
import { libraryLoop, rawUndiciLoop, type LoopResult } from './registry-loops.ts';

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '0.5' },
  },
});
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const ROUND_MS = Math.round(Number(args.seconds) * 1000);
const WARMUP_MS = 1_000;
const CHECKS = 20;
/** The whole run stops (and cleans up) after this long, whatever it is doing. */
const HARD_LIMIT_MS = 10 * 60_000;
const TARGET_RATIO = 0.9;

const startedAt = performance.now();
const say = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${line}\n`);

// ---- cleanup: everything started is stopped, in reverse order, on success, failure, signal or the hard limit ----
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) await cleanups.pop()!().catch((err: unknown) => say(`cleanup: ${String(err)}`));
  })();
  return cleaning;
}
stopOnSignalsAndLimit(say, cleanup, HARD_LIMIT_MS);

/** The q-quantile (0..1) of `values`, linear between ranks. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}
const median = (values: readonly number[]) => quantile(values, 0.5);

function dockerCfg(host: string, username: string, password: string): string {
  return Buffer.from(
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }),
  ).toString('base64');
}

async function publish(settings: RegistrySettings): Promise<{ repository: string; digest: string }> {
  await using client = createRegistryClient();
  const published = await new ModulePublisher(client, settings, settings.pathPrefix).publish({
    module: 'module-one',
    version: 'v1.0.0',
    channels: ['stable'],
  });
  return { repository: releaseRepository(settings.pathPrefix, 'module-one'), digest: published.releaseDigest };
}

async function main(): Promise<void> {
  if (![CONCURRENCY, ROUNDS, ROUND_MS].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--concurrency and --rounds take positive integers, --seconds a positive number');
  say('starting the registries (anonymous; htpasswd + TLS; token auth with a token server)');
  const env: Environment = await startEnvironment({
    registry: true,
    secureRegistry: true,
    log: (line) => say(`[env] ${line}`),
  });
  cleanups.push(() => env.stop());
  const tokenUser = { username: 'modsync', password: `pw-${Math.random().toString(36).slice(2)}` };
  const tokens: TestTokenServer = await startTokenServer({ dir: env.info.dir, ...tokenUser });
  cleanups.push(() => tokens.close());
  const tokenRegistry: TestRegistry = await startRegistry({
    logDir: env.info.logDir,
    dir: env.info.dir,
    name: 'token-registry',
    token: tokens.registryAuth,
  });
  cleanups.push(() => tokenRegistry.stop());

  const path = `bench-${Date.now().toString(36)}/modules`;
  const secure = env.info.secureRegistry!;
  const sources = {
    anonymous: parseRegistrySettings({ repo: `${env.info.registry!.host}/${path}`, scheme: 'HTTP' }),
    basic: parseRegistrySettings({
      repo: `${secure.host}/${path}`,
      scheme: 'HTTPS',
      ca: secure.caPem,
      dockerCfg: dockerCfg(secure.host, secure.username, secure.password),
    }),
    token: parseRegistrySettings({
      repo: `${tokenRegistry.host}/${path}`,
      scheme: 'HTTP',
      dockerCfg: dockerCfg(tokenRegistry.host, tokenUser.username, tokenUser.password),
    }),
  };
  const targets = {
    anonymous: await publish(sources.anonymous),
    basic: await publish(sources.basic),
    token: await publish(sources.token),
  };

  // ---- requests per check ----
  say(`requests per check: a fresh client, one first check, then ${CHECKS} unchanged checks, per auth kind`);
  const counts: Record<string, CheckCount> = {};
  for (const kind of ['anonymous', 'basic', 'token'] as const) {
    const tokenRequestsBefore = tokens.requests.length;
    counts[kind] = await countChecks(sources[kind], targets[kind].repository, 'stable', targets[kind].digest, CHECKS);
    if (kind === 'token') counts[kind].tokenServerRequests = tokens.requests.length - tokenRequestsBefore;
  }

  // ---- throughput: library vs raw undici, alternating rounds, both warm ----
  const { repository, digest } = targets.anonymous;
  const settings = sources.anonymous;
  const lib = await libraryLoop(settings, repository, 'stable', digest, CONCURRENCY);
  const raw = await rawUndiciLoop(settings, repository, 'stable', digest, CONCURRENCY);
  cleanups.push(
    () => lib.close(),
    () => raw.close(),
  );
  say(
    `throughput: HEAD ${settings.host}/${repository}:stable, concurrency ${CONCURRENCY}, warm-up ${WARMUP_MS} ms each, ${ROUNDS} rounds × ${ROUND_MS} ms each, alternating`,
  );
  await lib.run(WARMUP_MS);
  await raw.run(WARMUP_MS);
  const rounds: { lib: LoopResult; raw: LoopResult }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so drift (other load on the machine) hits both alike.
    const [a, b] = i % 2 === 0 ? [lib, raw] : [raw, lib];
    const first = await a.run(ROUND_MS);
    const second = await b.run(ROUND_MS);
    const round = a === lib ? { lib: first, raw: second } : { lib: second, raw: first };
    rounds.push(round);
    say(
      `round ${i + 1}: library ${round.lib.perSecond.toFixed(0)} req/s (${round.lib.cpuPerRequestUs.toFixed(0)} µs CPU/req), ` +
        `raw undici ${round.raw.perSecond.toFixed(0)} req/s (${round.raw.cpuPerRequestUs.toFixed(0)} µs CPU/req): ${(round.lib.perSecond / round.raw.perSecond).toFixed(2)}×`,
    );
  }
  const libRate = median(rounds.map((r) => r.lib.perSecond));
  const rawRate = median(rounds.map((r) => r.raw.perSecond));
  const roundRatios = rounds.map((r) => r.lib.perSecond / r.raw.perSecond);
  const ratio = Math.exp(roundRatios.reduce((sum, x) => sum + Math.log(x), 0) / roundRatios.length);
  const totalRatio = rounds.reduce((n, r) => n + r.lib.requests, 0) / rounds.reduce((n, r) => n + r.raw.requests, 0);
  const [q1, q3] = [quantile(roundRatios, 0.25), quantile(roundRatios, 0.75)];
  const rawRates = rounds.map((r) => r.raw.perSecond);
  const rawMean = rawRates.reduce((a, b) => a + b, 0) / rawRates.length;
  const rawCv = Math.sqrt(rawRates.reduce((a, x) => a + (x - rawMean) ** 2, 0) / rawRates.length) / rawMean;
  const libCpu = median(rounds.map((r) => r.lib.cpuPerRequestUs));
  const rawCpu = median(rounds.map((r) => r.raw.cpuPerRequestUs));
  const errors = rounds.reduce((n, r) => n + r.lib.errors + r.raw.errors, 0);

  // ---- figures ----
  const row = (name: string, value: string, note = '') => `  ${name.padEnd(36)}${value.padStart(10)}  ${note}`;
  const lines = [
    '',
    `registry benchmark: distribution registry on loopback, Node ${process.version}, concurrency ${CONCURRENCY}, ${ROUNDS} rounds × ${ROUND_MS / 1000} s each side`,
    '',
    row(
      'HEAD manifest, @modsync/registry',
      `${libRate.toFixed(0)} req/s`,
      `median of rounds; p50 latency ${lib.p50().toFixed(2)} ms`,
    ),
    row(
      'HEAD manifest, raw undici loop',
      `${rawRate.toFixed(0)} req/s`,
      `median of rounds; p50 latency ${raw.p50().toFixed(2)} ms`,
    ),
    row(
      'ratio library / raw',
      `${ratio.toFixed(2)}×`,
      `target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'pass' : 'MISS'} (geometric mean of round ratios)`,
    ),
    row(
      '  ratio of totals',
      `${totalRatio.toFixed(2)}×`,
      `round ratios: quartiles ${q1.toFixed(2)}× – ${q3.toFixed(2)}×`,
    ),
    row(
      '  noise',
      `±${(rawCv * 100).toFixed(0)} %`,
      `spread of raw rounds${rawCv > 0.15 ? ': the machine is busy, read the ratio as rough' : ''}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
    ),
    row(
      'client CPU per request',
      `${libCpu.toFixed(0)} µs`,
      `library; raw undici ${rawCpu.toFixed(0)} µs (${(libCpu / rawCpu).toFixed(2)}×)`,
    ),
    row('failed requests', String(errors)),
    row(
      'TCP connections opened',
      `${lib.connections()} / ${raw.connections()}`,
      'library / raw: keep-alive after HEAD, both reuse their pool',
    ),
    '',
    `  requests per check, fresh client (counted on the library's request channel; unchanged = mean of ${CHECKS})`,
    ...(['anonymous', 'basic', 'token'] as const).map((kind) => {
      const c = counts[kind]!;
      const extra = kind === 'token' ? `; token server saw ${c.tokenServerRequests} request(s)` : '';
      return `    ${kind.padEnd(10)} first check ${c.first.length} (${c.first.join(', ')}), unchanged check ${c.steady.toFixed(2)} (${c.steadyOps}${extra})`;
    }),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'registry',
      at: new Date().toISOString(),
      concurrency: CONCURRENCY,
      rounds: rounds.map((r) => ({ library: Math.round(r.lib.perSecond), raw: Math.round(r.raw.perSecond) })),
      seconds: ROUND_MS / 1000,
      libraryPerSecond: Math.round(libRate),
      rawPerSecond: Math.round(rawRate),
      ratio: Number(ratio.toFixed(3)),
      ratioOfTotals: Number(totalRatio.toFixed(3)),
      rawRoundSpread: Number(rawCv.toFixed(3)),
      cpuPerRequestUs: { library: Math.round(libCpu), raw: Math.round(rawCpu) },
      target: TARGET_RATIO,
      errors,
      requestsPerCheck: Object.fromEntries(
        Object.entries(counts).map(([k, c]) => [k, { first: c.first.length, unchanged: c.steady }]),
      ),
    })}\n`,
  );
}

try {
  await main();
} catch (err) {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
