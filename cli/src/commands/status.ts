import { ModuleSources, type ModuleSource } from '@modsync/k8s';
import { errorText, kubeOptions, millis, openKube, outputFormat, outputOption } from '../common.ts';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';
import { formatStatus, parseQueueJobs, sourceRow, type QueueState, type StatusReport } from '../format.ts';

/** GET <syncer>/metrics and read `modsync_queue_jobs`; never throws (an unreachable syncer is a state, not a failure). */
async function queueState(base: string, timeoutMs: number): Promise<QueueState> {
  const url = `${base}/metrics`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { reachable: false, url: base, error: `GET /metrics answered HTTP ${res.status}` };
    const jobs = parseQueueJobs(await res.text());
    if (!jobs)
      return { reachable: false, url: base, error: 'its /metrics has no modsync_queue_jobs: is that the syncer?' };
    return { reachable: true, url: base, jobs };
  } catch (err) {
    return { reachable: false, url: base, error: errorText(err) };
  }
}

/** `modsync status [source]`: the sources and their modules from the cluster, the queues from the syncer. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'show ModuleSources, their modules (version, policy, pull error) and the sync queues',
  usage: '[source]',
  description: [
    'Reads the ModuleSources (all, those matching --selector, or the one named) and their status from the cluster,',
    'and the sync queues from the syncer’s /metrics (modsync_queue_jobs). An unreachable syncer is not an error:',
    'the queue is then shown as unknown. LAST SYNC is the age of status.syncTime, which moves only when the status',
    'changes (the time of the last sync run is in the syncer’s metrics and dashboard).',
  ].join('\n'),
  options: {
    selector: {
      type: 'string',
      short: 'l',
      valueName: 'labels',
      description: 'only ModuleSources matching this label selector (e.g. team=platform)',
    },
    url: {
      type: 'string',
      valueName: 'url',
      description: 'the syncer’s HTTP address (env MODSYNC_SYNCER_URL; default http://127.0.0.1:8080)',
    },
    timeout: {
      type: 'string',
      valueName: 'ms',
      description: 'how long to wait for the syncer’s /metrics',
      default: '3000',
    },
    output: outputOption,
    ...kubeOptions,
  },
  async run(args: ParsedArgs, io: IO): Promise<number> {
    const [name, ...extra] = args.positionals;
    if (extra.length > 0) {
      io.stderr.write('modsync status: name at most one ModuleSource (modsync status [source])\n');
      return 2;
    }
    const format = outputFormat(args, io, 'status', 'table');
    const timeoutMs = millis(args, io, 'status', 'timeout');
    if (format === undefined || timeoutMs === undefined) return 2;
    const selector = args.values['selector'] as string | undefined;
    if (name && selector) {
      io.stderr.write('modsync status: give a source name or --selector, not both\n');
      return 2;
    }
    const base = (
      (args.values['url'] as string | undefined) ||
      io.env['MODSYNC_SYNCER_URL'] ||
      'http://127.0.0.1:8080'
    ).replace(/\/$/, '');

    const kube = await openKube(args, io, 'status');
    if (!kube) return 1;
    let sources: ModuleSource[];
    const queue = queueState(base, timeoutMs);
    try {
      if (name) {
        const one = await kube.get(ModuleSources, name);
        if (!one) {
          await queue;
          io.stderr.write(`modsync status: ModuleSource ${name} not found (kubectl get ms lists them)\n`);
          return 1;
        }
        sources = [one];
      } else {
        sources = (await kube.list(ModuleSources, selector ? { labelSelector: selector } : {})).items;
        sources.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      }
    } catch (err) {
      await queue;
      io.stderr.write(`modsync status: cannot read ModuleSources: ${errorText(err)}\n`);
      return 1;
    } finally {
      await kube.close();
    }
    const report: StatusReport = { sources: sources.map(sourceRow), queue: await queue };
    io.stdout.write(
      format === 'json'
        ? `${JSON.stringify(report, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`
        : formatStatus(report, new Date()),
    );
    return 0;
  },
};
