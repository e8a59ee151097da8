import { randomBytes } from 'node:crypto';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { CONTAINER_LABELS, keepContainerLogs } from './containers.ts';
import { ensureLocalImage } from './images.ts';
import { freePort } from './net.ts';

export interface TestRedis {
  host: string;
  port: number;
  /** Set when started with `password: true`, as production Redis has one. */
  password?: string;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  logFile: string;
  container: StartedTestContainer;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  logDir: string;
  name?: string;
  password?: boolean;
  log?: (line: string) => void;
}

/** A Redis container on the host network, bound to 127.0.0.1 on a free port. Image: MODSYNC_REDIS_IMAGE or built locally. */
export async function startRedis(options: StartRedisOptions): Promise<TestRedis> {
  const image = await ensureLocalImage('redis', process.env.MODSYNC_REDIS_IMAGE, options.log);
  const port = await freePort();
  const password = options.password ? randomBytes(12).toString('hex') : undefined;
  const container = await new GenericContainer(image)
    .withNetworkMode('host')
    .withLabels(CONTAINER_LABELS)
    .withCommand(['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', ...(password ? ['--requirepass', password] : [])])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(30_000)
    .start();
  const logFile = await keepContainerLogs(container, options.logDir, options.name ?? 'redis');
  const auth = password ? `:${password}@` : '';
  return {
    host: '127.0.0.1',
    port,
    password,
    url: `redis://${auth}127.0.0.1:${port}`,
    logFile,
    container,
    async stop() {
      await container.stop({ timeout: 1_000 });
    },
  };
}
