import { Redis } from 'ioredis';
import { decodeEvent, eventKeys } from '@modsync/events';
import { redactRedisUrl } from '@modsync/runtime';
import { errorText, outputFormat } from '../common.ts';
import type { Command, IO, ParsedArgs } from '../dispatcher.ts';
import { formatEventLine, matches, parseXRead } from '../format.ts';

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,90}$/;

/**
 * Follows the discovery stream with plain XREAD from a position of its own, not a consumer group: a tail only
 * watches, so it needs none of a group's acks, retries and dead letters, it can never take an entry from the applier's
 * group, and it leaves nothing behind in Redis however it ends (a killed process cannot leak a group).
 */
async function tail(args: ParsedArgs, io: IO): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`modsync events tail: ${message}\n`);
    return 2;
  };
  if (args.positionals.length > 0)
    return usage(`takes no arguments (got '${args.positionals[0]}'); filter with --source and --module`);
  const format = outputFormat(args, io, 'events tail', 'text');
  if (format === undefined) return 2;
  const url = (args.values['redis'] as string | undefined) || io.env['MODSYNC_REDIS_URL'];
  if (!url) return usage('say where Redis is: --redis redis://host:6379 or MODSYNC_REDIS_URL');
  if (!/^rediss?:\/\//.test(url))
    return usage(`--redis takes a redis:// or rediss:// URL, not '${redactRedisUrl(url)}'`);
  const prefix = (args.values['prefix'] as string | undefined) || io.env['MODSYNC_REDIS_PREFIX'] || 'modsync';
  if (!PREFIX.test(prefix)) return usage(`--prefix '${prefix}' is not a modsync key prefix (letters, digits, . _ : -)`);
  const from = String(args.values['from']);
  if (from !== 'newest' && from !== 'oldest') return usage(`--from takes newest or oldest, not '${from}'`);
  const filter = {
    source: args.values['source'] as string | undefined,
    module: args.values['module'] as string | undefined,
  };
  // The syncer publishes with the events prefix `<prefix>:events` (services/syncer/src/keys.ts).
  const stream = eventKeys(`${prefix}:events`).stream;
  const where = redactRedisUrl(url);

  let stopping = false;
  let ready = false;
  let lastError: unknown;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: 'modsync-events-tail',
    // XREAD BLOCK waits for a reconnect rather than failing; the first connection fails fast instead.
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (times) => (ready && !stopping ? Math.min(5_000, 200 * 2 ** Math.min(times, 5)) : null),
  });
  redis.on('error', (err: unknown) => {
    lastError = err;
  });
  redis.on('reconnecting', () => {
    if (!stopping)
      io.stderr.write(`modsync events tail: lost Redis at ${where} (${errorText(lastError)}), reconnecting…\n`);
  });
  const stop = () => {
    stopping = true;
    redis.disconnect();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const out = io.stdout as { on?: (event: 'error', listener: (err: unknown) => void) => unknown };
  const onOutputError = () => stop(); // `modsync events tail | head`: the reader went away
  out.on?.('error', onOutputError);
  try {
    try {
      await redis.connect();
      ready = true;
    } catch (err) {
      if (stopping) return 0;
      io.stderr.write(
        `modsync events tail: cannot reach Redis at ${where}: ${errorText(lastError ?? err)} (set --redis or MODSYNC_REDIS_URL)\n`,
      );
      return 1;
    }
    // Resolve "newest" to an entry id once: `$` in a loop of blocking reads would skip what arrives between two reads.
    let lastId = '0-0';
    if (from === 'newest') {
      const newest = (await redis.call('XREVRANGE', stream, '+', '-', 'COUNT', '1')) as [string, unknown][] | null;
      lastId = newest?.[0]?.[0] ?? '0-0';
    }
    io.stderr.write(
      `following ${stream} on ${where} from ${from}${filter.source ? ` source=${filter.source}` : ''}${filter.module ? ` module=${filter.module}` : ''} (Ctrl-C stops)\n`,
    );
    while (!stopping) {
      let reply: unknown;
      try {
        reply = await redis.call('XREAD', 'COUNT', '100', 'BLOCK', '5000', 'STREAMS', stream, lastId);
      } catch (err) {
        if (stopping) break;
        io.stderr.write(`modsync events tail: reading ${stream} failed: ${errorText(err)}\n`);
        return 1;
      }
      for (const entry of parseXRead(reply)) {
        lastId = entry.id;
        let event;
        try {
          event = decodeEvent(entry.fields['event'] ?? '');
        } catch (err) {
          io.stderr.write(`modsync events tail: skipping entry ${entry.id}: ${errorText(err)}\n`);
          continue;
        }
        if (!matches(event, filter)) continue;
        io.stdout.write(format === 'json' ? `${JSON.stringify(event)}\n` : formatEventLine(event));
      }
    }
    return 0;
  } catch (err) {
    if (stopping) return 0;
    io.stderr.write(`modsync events tail: ${errorText(err)}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    (io.stdout as { removeListener?: (event: 'error', listener: () => void) => unknown }).removeListener?.(
      'error',
      onOutputError,
    );
    redis.disconnect();
  }
}

export const eventsCommand: Command = {
  name: 'events',
  summary: 'watch the discovery events the syncer publishes',
  subcommands: [
    {
      name: 'tail',
      summary: 'follow the discovery stream: one line per event (time type source/module details)',
      description: [
        'Reads the stream {<prefix>:events}:discovery with XREAD from a position of its own, so it never takes',
        'an event from the applier’s consumer group and leaves nothing in Redis. Ctrl-C stops it.',
        'Event fields are described in docs/events.md (--output json prints each event envelope as one JSON line).',
      ].join('\n'),
      options: {
        from: {
          type: 'string',
          valueName: 'where',
          description:
            'newest: only events published from now on; oldest: every event the stream still holds, then follow',
          default: 'newest',
        },
        source: { type: 'string', valueName: 'name', description: 'only events of this ModuleSource' },
        module: { type: 'string', valueName: 'name', description: 'only events of this module' },
        output: {
          type: 'string',
          short: 'o',
          valueName: 'format',
          description: 'text or json (one event envelope per line)',
          default: 'text',
        },
        redis: {
          type: 'string',
          valueName: 'url',
          description: 'redis://[:password@]host:port[/db] (env MODSYNC_REDIS_URL)',
        },
        prefix: {
          type: 'string',
          valueName: 'prefix',
          description: 'modsync’s Redis key prefix (env MODSYNC_REDIS_PREFIX; default modsync)',
        },
      },
      run: tail,
    },
  ],
};
