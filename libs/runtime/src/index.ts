export { createLogger, type Logger } from './log.ts';
export { createMetricsRegistry } from './metrics.ts';
export { createHttpServer, listenHttp } from './http-server.ts';
export { hasCredentials, isAuthorized, isLoopback, type HttpCredentials } from './http-auth.ts';
export { createRedis, type RedisClient } from './redis.ts';
export {
  describeRedisTarget,
  loadRedisTarget,
  redactRedisUrl,
  parseRedisTarget,
  redisEnvironment,
  RedisConfigError,
  type RedisTarget,
} from './redis-target.ts';
export { handleShutdown } from './shutdown.ts';
export { durationMs, parseDuration, parseEnvironment } from './config.ts';
export { mapLimit } from './map-limit.ts';
export { withTimeout } from './timeout.ts';
export { RedisLock, RedisLocks } from './redis-lock.ts';
