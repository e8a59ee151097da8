import { pino, type Logger, type LoggerOptions } from 'pino';

/** Field names shared by every log line and metric label (style.md "Logging fields"). */
export const LOG_FIELDS = {
  source: 'source',
  module: 'module',
  channel: 'channel',
  registry: 'registry',
  repository: 'repository',
  reference: 'reference',
  digest: 'digest',
  jobId: 'jobId',
  attempt: 'attempt',
  reason: 'reason',
  code: 'code',
  durationMs: 'durationMs',
  err: 'err',
} as const;

export type { Logger };

export interface LoggerConfig {
  service: string;
  /** @defaultValue 'info' */
  level?: string;
  /** Where lines go (tests pass a stream). @defaultValue stdout */
  destination?: NodeJS.WritableStream;
}

/** JSON lines: a fixed message, data in fields; secrets (auth headers, passwords, dockerCfg) redacted. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['password', '*.password', 'authorization', '*.authorization', 'dockerCfg', '*.dockerCfg', 'token', '*.token'], censor: '[redacted]' },
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}
