import { randomBytes } from 'node:crypto';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { CONTAINER_LABELS, keepContainerLogs } from './containers.ts';
import { ensureLocalImage } from './images.ts';
import { freePort, waitFor } from './net.ts';
import { run } from './process.ts';

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
  /** true: a random one; a string: that one (a Redis started again in place of a killed one). */
  password?: boolean | string;
  /** @defaultValue a free port */
  port?: number;
  log?: (line: string) => void;
}

/** A Redis container on the host network, bound to 127.0.0.1 on a free port. Image: MODSYNC_REDIS_IMAGE or built locally. */
export async function startRedis(options: StartRedisOptions): Promise<TestRedis> {
  const image = await ensureLocalImage('redis', process.env.MODSYNC_REDIS_IMAGE, options.log);
  const port = options.port ?? (await freePort());
  const password =
    typeof options.password === 'string'
      ? options.password
      : options.password
        ? randomBytes(12).toString('hex')
        : undefined;
  const container = await new GenericContainer(image)
    .withNetworkMode('host')
    .withLabels(CONTAINER_LABELS)
    .withCommand([
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      ...(password ? ['--requirepass', password] : []),
    ])
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

/** One Redis or Sentinel server of a topology, in its own container (so it can be killed alone, as a crashed pod). */
interface RedisServer {
  host: string;
  port: number;
  container: StartedTestContainer;
  logFile: string;
  /** SIGKILL, as a crashed machine: no shutdown, no save. */
  kill(): Promise<void>;
}

async function startServer(
  image: string,
  logDir: string,
  name: string,
  args: string[],
  ready: RegExp,
  entrypoint?: string[],
): Promise<RedisServer> {
  let builder = new GenericContainer(image)
    .withNetworkMode('host')
    .withLabels(CONTAINER_LABELS)
    .withCommand(args)
    .withWaitStrategy(Wait.forLogMessage(ready))
    .withStartupTimeout(30_000);
  if (entrypoint) builder = builder.withEntrypoint(entrypoint);
  const container = await builder.start();
  const logFile = await keepContainerLogs(container, logDir, name);
  const port = Number(args[args.indexOf('--port') + 1]);
  return {
    host: '127.0.0.1',
    port,
    container,
    logFile,
    async kill() {
      await run('docker', ['kill', container.getId()]).catch(() => {});
    },
  };
}

async function stopAll(servers: RedisServer[]): Promise<void> {
  await Promise.allSettled(servers.map((s) => s.container.stop({ timeout: 1_000 })));
}

export interface TestRedisSentinel {
  masterName: string;
  /** Of the Redis servers. */
  password: string;
  /** Of the Sentinels (their requirepass). */
  sentinelPassword: string;
  primary: RedisServer;
  replica: RedisServer;
  sentinels: RedisServer[];
  logFiles: string[];
  /** The primary's port the Sentinels agree on now. */
  currentPrimaryPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * One primary, one replica and three Sentinels (quorum 2) on the host network, from Debian's redis-server and
 * redis-sentinel: a primary is declared down after 1 s, so a failover completes in a few seconds.
 */
export async function startRedisSentinel(options: {
  logDir: string;
  name?: string;
  log?: (line: string) => void;
}): Promise<TestRedisSentinel> {
  const image = await ensureLocalImage('redis', undefined, options.log);
  const name = options.name ?? 'sentinel';
  const password = randomBytes(12).toString('hex');
  const sentinelPassword = randomBytes(12).toString('hex');
  const masterName = 'modsync-primary';
  const started: RedisServer[] = [];
  try {
    // --dir: a replica writes the primary's snapshot to its working folder first; the redis user may write only /tmp.
    const server = (port: number, extra: string[]) => [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      '/tmp',
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      password,
      '--masterauth',
      password,
      ...extra,
    ];
    const primaryPort = await freePort();
    const primary = await startServer(
      image,
      options.logDir,
      `${name}-primary`,
      server(primaryPort, []),
      /Ready to accept connections/,
    );
    started.push(primary);
    const replica = await startServer(
      image,
      options.logDir,
      `${name}-replica`,
      server(await freePort(), ['--replicaof', '127.0.0.1', String(primaryPort)]),
      /MASTER <-> REPLICA sync: Finished with success/,
    );
    started.push(replica);
    const sentinels = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const port = await freePort();
        // Sentinel rewrites its configuration file: it is written inside the container, where the redis user owns it.
        const conf = [
          `port ${port}`,
          'bind 127.0.0.1',
          'dir /tmp',
          `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel auth-pass ${masterName} ${password}`,
          `requirepass ${sentinelPassword}`,
          `sentinel sentinel-pass ${sentinelPassword}`,
        ].join('\n');
        const s = await startServer(
          image,
          options.logDir,
          `${name}-sentinel-${i}`,
          [
            '-c',
            'printf "%s\\n" "$1" > /tmp/sentinel.conf && exec redis-sentinel /tmp/sentinel.conf',
            'sentinel',
            conf,
            '--port',
            String(port),
          ],
          /\+monitor master/,
          ['sh'],
        );
        started.push(s);
        return s;
      }),
    );
    const topology: TestRedisSentinel = {
      masterName,
      password,
      sentinelPassword,
      primary,
      replica,
      sentinels,
      logFiles: started.map((s) => s.logFile),
      async currentPrimaryPort() {
        for (const s of sentinels) {
          try {
            const out = await run('docker', [
              'exec',
              s.container.getId(),
              'redis-cli',
              '-p',
              String(s.port),
              '-a',
              sentinelPassword,
              '--no-auth-warning',
              'SENTINEL',
              'get-master-addr-by-name',
              masterName,
            ]);
            const port = Number(out.trim().split('\n')[1]);
            if (port > 0) return port;
          } catch {
            // a killed Sentinel: ask the next
          }
        }
        throw new Error('no Sentinel answered');
      },
      stop: () => stopAll(started),
    };
    // Every Sentinel has found the others (their hello messages go through the primary): a failover can be voted.
    await waitFor(
      'Sentinels know each other',
      async () => {
        for (const s of sentinels) {
          const out = await run('docker', [
            'exec',
            s.container.getId(),
            'redis-cli',
            '-p',
            String(s.port),
            '-a',
            sentinelPassword,
            '--no-auth-warning',
            'SENTINEL',
            'sentinels',
            masterName,
          ]);
          if ((out.match(/^name$/gm) ?? []).length < 2) return false;
        }
        return true;
      },
      30_000,
      200,
    );
    return topology;
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

export interface TestRedisCluster {
  password: string;
  /** Every node, primaries first (as created; roles change after a failover). */
  nodes: RedisServer[];
  logFiles: string[];
  /** The node serving `key`'s slot now, asked of a live node. */
  primaryOf(key: string): Promise<RedisServer>;
  stop(): Promise<void>;
}

/** A Redis Cluster of three primaries with one replica each on the host network; a primary is failed over after 2 s. */
export async function startRedisCluster(options: {
  logDir: string;
  name?: string;
  log?: (line: string) => void;
}): Promise<TestRedisCluster> {
  const image = await ensureLocalImage('redis', undefined, options.log);
  const name = options.name ?? 'cluster';
  const password = randomBytes(12).toString('hex');
  const nodes: RedisServer[] = [];
  const cli = (node: RedisServer, args: string[]) =>
    run('docker', [
      'exec',
      node.container.getId(),
      'redis-cli',
      '-p',
      String(node.port),
      '-a',
      password,
      '--no-auth-warning',
      ...args,
    ]);
  try {
    for (let i = 0; i < 6; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      // The bus port is given (cluster-port), not port + 10000, which may be taken or out of range.
      const args = [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster-port',
        String(bus),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `/tmp/nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        '--dir',
        '/tmp',
        '--save',
        '',
        '--appendonly',
        'no',
        '--requirepass',
        password,
        '--masterauth',
        password,
      ];
      nodes.push(await startServer(image, options.logDir, `${name}-${i}`, args, /Ready to accept connections/));
    }
    await cli(nodes[0]!, [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await waitFor(
      'cluster state ok on every node',
      async () => {
        for (const n of nodes) if (!/cluster_state:ok/.test(await cli(n, ['CLUSTER', 'INFO']))) return false;
        return true;
      },
      30_000,
      200,
    );
    // Every replica has copied its primary. One that never did may not take over (its data's age fails the
    // cluster-replica-validity-factor check): a primary killed before that leaves its slots down for good.
    await waitFor(
      'every replica in sync with its primary',
      async () => {
        let linked = 0;
        for (const n of nodes) if (/master_link_status:up/.test(await cli(n, ['INFO', 'replication']))) linked++;
        return linked === nodes.length / 2;
      },
      30_000,
      200,
    );
    return {
      password,
      nodes,
      logFiles: nodes.map((n) => n.logFile),
      async primaryOf(key: string) {
        for (const n of nodes) {
          try {
            const slot = Number((await cli(n, ['CLUSTER', 'KEYSLOT', key])).trim());
            for (const row of (await cli(n, ['CLUSTER', 'NODES'])).trim().split('\n')) {
              const [, address, flags, , , , , state, ...ranges] = row.split(' ');
              if (!flags?.includes('master') || flags.includes('fail') || state !== 'connected') continue;
              const port = Number(address!.split('@')[0]!.split(':')[1]);
              const owns = ranges.some((r) => {
                const [from, to = from] = r.split('-').map(Number);
                return slot >= from! && slot <= to!;
              });
              const node = nodes.find((x) => x.port === port);
              if (owns && node) return node;
            }
          } catch {
            // a killed node: ask the next
          }
        }
        throw new Error(`no live primary serves ${key}`);
      },
      stop: () => stopAll(nodes),
    };
  } catch (err) {
    await stopAll(nodes);
    throw err;
  }
}
