// Pure formatting and parsing for the CLI's commands: no I/O here, so unit tests cover it all.
import { formatKubeTime, type ModulePlan } from '@modsync/dkp';
import type { DiscoveryEvent } from '@modsync/events';
import type { ModuleSource } from '@modsync/k8s';

/** Left-aligned columns separated by two spaces, as kubectl prints them; empty cells become `-`. */
export function table(header: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cells = [
    header.map(String),
    ...rows.map((r) =>
      header.map((_, i) => {
        const c = r[i];
        return c === undefined || c === '' ? '-' : String(c);
      }),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return `${cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** kubectl's short age: `45s`, `12m`, `3h`, `5d` (`-` for no time, `0s` for a time ahead of the clock). */
export function age(time: string | undefined, now: Date): string {
  if (!time) return '-';
  const then = Date.parse(time);
  if (Number.isNaN(then)) return '-';
  const s = Math.max(0, Math.floor((now.getTime() - then) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** One line, at most `max` characters (long registry messages would wreck a table). */
export function oneLine(text: string | undefined, max = 80): string | undefined {
  if (!text) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

// --- status ---

interface ModuleRow {
  name: string;
  version: string | undefined;
  policy: string | undefined;
  pullError: string | undefined;
  error: string | undefined;
}

export interface SourceRow {
  name: string;
  modulesCount: number;
  message: string | undefined;
  syncTime: string | undefined;
  phase: string | undefined;
  modules: ModuleRow[];
}

/** Jobs per queue and state, from the syncer's `/metrics`; or why it is unknown. */
export type QueueState =
  | { reachable: true; url: string; jobs: Record<string, Record<string, number>> }
  | { reachable: false; url: string; error: string };

export interface StatusReport {
  sources: SourceRow[];
  queue: QueueState;
}

/** What `modsync status` shows of a ModuleSource (the same fields `--output json` prints). */
export function sourceRow(source: ModuleSource): SourceRow {
  const status = source.status ?? {};
  const modules = (status.modules ?? []).map((m) => ({
    name: m.name,
    version: m.version || undefined,
    policy: m.policy || undefined,
    pullError: m.pullError || undefined,
    error: m.error || undefined,
  }));
  return {
    name: source.metadata.name,
    modulesCount: status.modulesCount ?? modules.length,
    message: status.message || undefined,
    syncTime: status.syncTime || undefined,
    phase: status.phase || undefined,
    modules,
  };
}

/**
 * Reads `modsync_queue_jobs{queue,state}` from a Prometheus text exposition: queue → state → jobs. Undefined when the
 * text has no such metric (not the syncer's /metrics).
 */
export function parseQueueJobs(metrics: string): Record<string, Record<string, number>> | undefined {
  let found = false;
  const jobs: Record<string, Record<string, number>> = {};
  for (const line of metrics.split('\n')) {
    const m = /^modsync_queue_jobs\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    found = true;
    const labels: Record<string, string> = {};
    for (const l of m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    const value = Number(m[2]);
    if (labels['queue'] === undefined || labels['state'] === undefined || !Number.isFinite(value)) continue;
    const queue = jobs[labels['queue']] ?? {};
    queue[labels['state']] = value;
    jobs[labels['queue']] = queue;
  }
  return found ? jobs : undefined;
}

const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'];

/** The human form of `modsync status`: the sources, each source's modules, the queues. */
export function formatStatus(report: StatusReport, now: Date): string {
  const parts: string[] = [];
  if (report.sources.length === 0) {
    parts.push('No ModuleSources found.\n');
  } else {
    parts.push(
      table(
        ['SOURCE', 'MODULES', 'MESSAGE', 'LAST SYNC'],
        report.sources.map((s) => [s.name, s.modulesCount, oneLine(s.message), age(s.syncTime, now)]),
      ),
    );
    for (const s of report.sources) {
      parts.push(`\nModules of ${s.name}:\n`);
      parts.push(
        s.modules.length === 0
          ? '  (none listed yet)\n'
          : indent(
              table(
                ['MODULE', 'VERSION', 'POLICY', 'PULL ERROR'],
                s.modules.map((m) => [m.name, m.version, m.policy, oneLine(m.pullError ?? m.error, 160)]),
              ),
            ),
      );
    }
  }
  parts.push('\n');
  const q = report.queue;
  if (!q.reachable) {
    parts.push(`queue: unknown (syncer not reachable at ${q.url}: ${q.error})\n`);
  } else {
    const states = [
      ...QUEUE_STATES,
      ...Object.values(q.jobs)
        .flatMap((s) => Object.keys(s))
        .filter((s) => !QUEUE_STATES.includes(s)),
    ];
    const unique = [...new Set(states)];
    parts.push(
      table(
        ['QUEUE', ...unique.map((s) => s.toUpperCase())],
        Object.entries(q.jobs).map(([queue, counts]) => [queue, ...unique.map((s) => String(counts[s] ?? 0))]),
      ),
    );
  }
  return parts.join('');
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

// --- events tail ---

/** One entry of an XREAD reply: id and its field → value map. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

function str(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function entriesOf(list: unknown): StreamEntry[] {
  if (!Array.isArray(list)) return [];
  const entries: StreamEntry[] = [];
  for (const raw of list as unknown[]) {
    if (!Array.isArray(raw) || raw.length < 2 || !Array.isArray(raw[1])) continue; // nil body: a deleted entry
    const flat = raw[1] as unknown[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[str(flat[i])] = str(flat[i + 1]);
    entries.push({ id: str(raw[0]), fields });
  }
  return entries;
}

/**
 * Flattens an XREAD reply into entries: nil on timeout, `[[stream, entries], …]` over RESP2, or `[stream, entries, …]`
 * over RESP3 (a map, which ioredis's default `legacy` mapping hands over flat).
 */
export function parseXRead(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (Array.isArray(reply[0])) return reply.flatMap((pair: unknown) => (Array.isArray(pair) ? entriesOf(pair[1]) : []));
  const entries: StreamEntry[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) entries.push(...entriesOf(reply[i + 1]));
  return entries;
}

export interface EventFilter {
  source?: string | undefined;
  module?: string | undefined;
}

export function matches(event: DiscoveryEvent, filter: EventFilter): boolean {
  return (
    (filter.source === undefined || event.source === filter.source) &&
    (filter.module === undefined || event.module === filter.module)
  );
}

function shortDigest(checksum: string | null): string {
  if (!checksum) return 'none';
  const [algo, hex] = checksum.split(':');
  return hex ? `${algo}:${hex.slice(0, 12)}` : checksum;
}

/** What changed, in a few words (the rest is in `--output json`). */
export function eventDetails(event: DiscoveryEvent): string {
  switch (event.type) {
    case 'module.appeared': {
      const channels = event.state.present
        ? Object.entries(event.state.channels).map(([c, r]) => `${c}=${r.version}`)
        : [];
      return channels.length ? `channels ${channels.join(' ')}` : 'no channel resolved yet';
    }
    case 'module.gone':
      return 'no longer listed by the source';
    case 'channel.version':
      return `${event.channel} ${event.previousVersion ?? '(none)'} -> ${event.version}`;
    case 'module.checksum':
      return `${event.channel} ${event.version} re-pushed ${shortDigest(event.previousChecksum)} -> ${shortDigest(event.checksum)}`;
    case 'pull-error.set':
      return `error: ${oneLine(event.error, 200)}`;
    case 'pull-error.cleared':
      return 'pull error cleared';
  }
}

/** `time type source/module details`, one line per event. */
export function formatEventLine(event: DiscoveryEvent): string {
  return `${event.at} ${event.type} ${event.source}/${event.module} ${eventDetails(event)}\n`;
}

// --- plan ---

/** When a gate opens, in a cell: `now` for a release that deploys, the time (and how far off), or what opens it. */
function opens(plan: ModulePlan, now: Date): string | undefined {
  if (plan.action === 'Deploy') return 'now';
  if (plan.opensAt !== undefined) return `${formatKubeTime(plan.opensAt)} (in ${age(now.toISOString(), plan.opensAt)})`;
  return plan.opensWhen;
}

/** `modsync plan`'s table: one row per module, then each held release's message. */
export function formatPlan(plans: readonly ModulePlan[], now: Date): string {
  if (plans.length === 0) return 'No enabled modules.\n';
  const rows = plans.map((p) => [
    p.module,
    p.source,
    p.channel,
    `${p.policy} (${p.mode})`,
    p.deployed,
    p.next ? `${p.next.version}${p.next.exists ? '' : ' (new)'}` : undefined,
    p.action === 'Hold' ? (p.gate ?? 'Hold') : p.action,
    opens(p, now),
  ]);
  const out = table(['MODULE', 'SOURCE', 'CHANNEL', 'POLICY', 'DEPLOYED', 'NEXT', 'GATE', 'OPENS'], rows);
  const messages = plans.filter((p) => p.message).map((p) => `  ${p.module}: ${p.message}`);
  return messages.length > 0 ? `${out}\n${messages.join('\n')}\n` : out;
}
