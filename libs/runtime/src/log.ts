import { pino, type Logger, type LoggerOptions } from 'pino';

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
    redact: {
      paths: [
        'password',
        '*.password',
        'authorization',
        '*.authorization',
        'dockerCfg',
        '*.dockerCfg',
        'token',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}
