export { createLogger, LOG_FIELDS, type Logger, type LoggerConfig } from './log.ts';
export { createMetricsRegistry } from './metrics.ts';
export { createHttpServer, listenHttp, type HttpServerOptions, type ListenOptions } from './http-server.ts';
export { hasCredentials, isAuthorized, isLoopback, type HttpCredentials } from './http-auth.ts';
export { createRedis, redactRedisUrl, type RedisConnectionOptions } from './redis.ts';
export { handleShutdown } from './shutdown.ts';
export { durationMs, parseDuration, parseEnvironment } from './config.ts';
export { mapLimit } from './map-limit.ts';
export { LockLostError, LockUnavailableError, RedisLock, RedisLocks, type RedisLocksOptions } from './redis-lock.ts';
