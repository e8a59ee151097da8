import type { Command, IO, ParsedArgs } from '../dispatcher.ts';

/** `modsync resync <source>`: asks the syncer to sync a ModuleSource now, through its HTTP API. */
export const resyncCommand: Command = {
  name: 'resync',
  summary: 'sync a ModuleSource now (repeated requests while one is queued or running collapse into one)',
  usage: '<source>',
  description:
    'Calls POST /sources/<source>/resync on the syncer. The syncer also resyncs when the\nmodsync.io/resync annotation of the ModuleSource changes (kubectl annotate ms <source> modsync.io/resync="$(date)" --overwrite).',
  options: {
    url: {
      type: 'string',
      valueName: 'url',
      description: 'the syncer’s HTTP address (env MODSYNC_SYNCER_URL; default http://127.0.0.1:8080)',
    },
    token: { type: 'string', valueName: 'token', description: 'API token (env MODSYNC_API_TOKEN)' },
    timeout: { type: 'string', valueName: 'ms', description: 'give up after this many milliseconds', default: '10000' },
  },
  async run(args: ParsedArgs, io: IO): Promise<number> {
    const [source, ...extra] = args.positionals;
    if (!source || extra.length > 0) {
      io.stderr.write('modsync resync: name exactly one ModuleSource (modsync resync <source>)\n');
      return 2;
    }
    const base = (
      (args.values['url'] as string | undefined) ??
      io.env['MODSYNC_SYNCER_URL'] ??
      'http://127.0.0.1:8080'
    ).replace(/\/$/, '');
    const token = (args.values['token'] as string | undefined) ?? io.env['MODSYNC_API_TOKEN'];
    const timeoutMs = Number(args.values['timeout']);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      io.stderr.write('modsync resync: --timeout takes a positive number of milliseconds\n');
      return 2;
    }
    let res: Response;
    try {
      res = await fetch(`${base}/sources/${encodeURIComponent(source)}/resync`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      io.stderr.write(
        `modsync resync: cannot reach the syncer at ${base}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}\n`,
      );
      return 1;
    }
    const body = (await res.json().catch(() => ({}))) as { error?: string; jobId?: string; collapsed?: boolean };
    if (res.status === 401) {
      io.stderr.write('modsync resync: the syncer refused the credentials (set --token or MODSYNC_API_TOKEN)\n');
      return 1;
    }
    if (res.status !== 202) {
      io.stderr.write(`modsync resync: ${body.error ?? `HTTP ${res.status}`}\n`);
      return 1;
    }
    io.stdout.write(
      body.collapsed
        ? `resync of ${source} already queued (job ${body.jobId})\n`
        : `resync of ${source} queued (job ${body.jobId})\n`,
    );
    return 0;
  },
};
