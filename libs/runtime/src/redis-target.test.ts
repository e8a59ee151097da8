import { describe, expect, it } from 'vitest';
import {
  describeRedisTarget,
  loadRedisTarget,
  parseRedisNodes,
  parseRedisTarget,
  RedisConfigError,
  type RedisEnvironment,
  type RedisTarget,
} from './redis-target.ts';

describe('parseRedisTarget', () => {
  const accepted: Array<[string, RedisEnvironment, RedisTarget]> = [
    [
      'a URL',
      { MODSYNC_REDIS_URL: 'redis://:pw@127.0.0.1:6379/2' },
      { mode: 'standalone', url: 'redis://:pw@127.0.0.1:6379/2' },
    ],
    [
      'a URL with the password beside it',
      { MODSYNC_REDIS_URL: 'rediss://redis.example:6380', MODSYNC_REDIS_PASSWORD: 'pw' },
      { mode: 'standalone', url: 'rediss://redis.example:6380', password: 'pw' },
    ],
    [
      'Sentinels with passwords',
      {
        MODSYNC_REDIS_SENTINELS: 'a.example:26379, b.example:26380,c.example',
        MODSYNC_REDIS_MASTER_NAME: 'mymaster',
        MODSYNC_REDIS_PASSWORD: 'pw',
        MODSYNC_REDIS_SENTINEL_PASSWORD: 'spw',
      },
      {
        mode: 'sentinel',
        sentinels: [
          { host: 'a.example', port: 26379 },
          { host: 'b.example', port: 26380 },
          { host: 'c.example', port: 26379 },
        ],
        masterName: 'mymaster',
        password: 'pw',
        sentinelPassword: 'spw',
        db: 0,
      },
    ],
    [
      'Sentinels with ACL users and a database',
      {
        MODSYNC_REDIS_SENTINELS: '[::1]:26379',
        MODSYNC_REDIS_MASTER_NAME: 'm-1',
        MODSYNC_REDIS_USERNAME: 'modsync',
        MODSYNC_REDIS_SENTINEL_USERNAME: 'watch',
        MODSYNC_REDIS_DB: '3',
      },
      {
        mode: 'sentinel',
        sentinels: [{ host: '::1', port: 26379 }],
        masterName: 'm-1',
        username: 'modsync',
        sentinelUsername: 'watch',
        db: 3,
      },
    ],
    [
      'Cluster nodes, default port',
      { MODSYNC_REDIS_CLUSTER: '10.0.0.1:7000,10.0.0.2', MODSYNC_REDIS_PASSWORD: 'pw' },
      {
        mode: 'cluster',
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 6379 },
        ],
        password: 'pw',
      },
    ],
    [
      'empty variables count as unset',
      { MODSYNC_REDIS_URL: 'redis://r:6379', MODSYNC_REDIS_CLUSTER: '', MODSYNC_REDIS_PASSWORD: '' },
      { mode: 'standalone', url: 'redis://r:6379' },
    ],
  ];
  it.each(accepted)('%s', (_, env, expected) => {
    expect(parseRedisTarget(env)).toEqual(expected);
  });

  const refused: Array<[string, RedisEnvironment, string]> = [
    [
      'nothing set',
      {},
      'say where Redis is: set MODSYNC_REDIS_URL (one server), MODSYNC_REDIS_SENTINELS with MODSYNC_REDIS_MASTER_NAME (Sentinel), or MODSYNC_REDIS_CLUSTER (Redis Cluster)',
    ],
    [
      'URL and Sentinels',
      { MODSYNC_REDIS_URL: 'redis://r', MODSYNC_REDIS_SENTINELS: 's:26379', MODSYNC_REDIS_MASTER_NAME: 'm' },
      'set only one of MODSYNC_REDIS_URL and MODSYNC_REDIS_SENTINELS: they are different ways to reach Redis',
    ],
    [
      'Sentinels and Cluster',
      { MODSYNC_REDIS_SENTINELS: 's', MODSYNC_REDIS_CLUSTER: 'c' },
      'set only one of MODSYNC_REDIS_SENTINELS and MODSYNC_REDIS_CLUSTER: they are different ways to reach Redis',
    ],
    [
      'Sentinels without a master name',
      { MODSYNC_REDIS_SENTINELS: 's:26379' },
      'MODSYNC_REDIS_SENTINELS needs MODSYNC_REDIS_MASTER_NAME: the name the Sentinels monitor the primary under (sentinel monitor <name> …)',
    ],
    [
      'a master name with a space',
      { MODSYNC_REDIS_SENTINELS: 's', MODSYNC_REDIS_MASTER_NAME: 'my master' },
      'MODSYNC_REDIS_MASTER_NAME: "my master" is not a Sentinel master name (1–128 characters of A-Za-z0-9._-)',
    ],
    [
      'a database that is not a number',
      { MODSYNC_REDIS_SENTINELS: 's', MODSYNC_REDIS_MASTER_NAME: 'm', MODSYNC_REDIS_DB: 'one' },
      'MODSYNC_REDIS_DB: "one" is not a database number (0, 1, …)',
    ],
    [
      'a master name without Sentinels',
      { MODSYNC_REDIS_URL: 'redis://r', MODSYNC_REDIS_MASTER_NAME: 'm' },
      'MODSYNC_REDIS_MASTER_NAME only apply with MODSYNC_REDIS_SENTINELS',
    ],
    [
      'a Sentinel password with a Cluster',
      { MODSYNC_REDIS_CLUSTER: 'c', MODSYNC_REDIS_SENTINEL_PASSWORD: 'x', MODSYNC_REDIS_DB: '1' },
      'MODSYNC_REDIS_SENTINEL_PASSWORD, MODSYNC_REDIS_DB only apply with MODSYNC_REDIS_SENTINELS',
    ],
    [
      'a URL that is not one',
      { MODSYNC_REDIS_URL: 'localhost:6379' },
      'MODSYNC_REDIS_URL: scheme localhost: is not redis: or rediss:',
    ],
    [
      'a URL of another scheme',
      { MODSYNC_REDIS_URL: 'http://r:6379' },
      'MODSYNC_REDIS_URL: scheme http: is not redis: or rediss:',
    ],
    [
      'garbage',
      { MODSYNC_REDIS_URL: '::' },
      'MODSYNC_REDIS_URL: not a URL; want redis[s]://[user:password@]host:port[/db]',
    ],
    [
      'a URL path that is no database',
      { MODSYNC_REDIS_URL: 'redis://r:6379/x' },
      'MODSYNC_REDIS_URL: path "/x" is not a database number (/0, /1, …)',
    ],
    [
      'the password twice',
      { MODSYNC_REDIS_URL: 'redis://:a@r:6379', MODSYNC_REDIS_PASSWORD: 'b' },
      'MODSYNC_REDIS_PASSWORD and a password in MODSYNC_REDIS_URL: give it once',
    ],
    [
      'a bad port',
      { MODSYNC_REDIS_CLUSTER: 'a:7000,b:70000' },
      'MODSYNC_REDIS_CLUSTER: "b:70000" has port "70000"; want 1–65535',
    ],
    [
      'port 0',
      { MODSYNC_REDIS_SENTINELS: 'a:0', MODSYNC_REDIS_MASTER_NAME: 'm' },
      'MODSYNC_REDIS_SENTINELS: "a:0" has port "0"; want 1–65535',
    ],
    [
      'an empty entry',
      { MODSYNC_REDIS_CLUSTER: 'a:7000,,b:7001' },
      'MODSYNC_REDIS_CLUSTER: an empty entry in "a:7000,,b:7001"; want host:port[,host:port…]',
    ],
    ['only commas', { MODSYNC_REDIS_CLUSTER: ' , ' }, 'MODSYNC_REDIS_CLUSTER: empty; want host:port[,host:port…]'],
    [
      'an unbracketed IPv6 address',
      { MODSYNC_REDIS_CLUSTER: '::1:7000' },
      'MODSYNC_REDIS_CLUSTER: "::1:7000" is not host:port (IPv6 addresses go in brackets: [::1]:6379)',
    ],
    [
      'a URL among the nodes',
      { MODSYNC_REDIS_CLUSTER: 'redis://a:7000' },
      'MODSYNC_REDIS_CLUSTER: "redis://a:7000" is not host:port (IPv6 addresses go in brackets: [::1]:6379)',
    ],
    [
      'a node twice',
      { MODSYNC_REDIS_SENTINELS: 'A:26379,a', MODSYNC_REDIS_MASTER_NAME: 'm' },
      'MODSYNC_REDIS_SENTINELS: a:26379 is listed twice',
    ],
  ];
  it.each(refused)('refuses %s, naming the variable', (_, env, message) => {
    const run = () => parseRedisTarget(env);
    expect(run).toThrow(RedisConfigError);
    expect(run).toThrow(message);
  });

  it('never puts a password into its message', () => {
    let message = '';
    try {
      parseRedisTarget({ MODSYNC_REDIS_URL: 'redis://:s3cret@r:6379', MODSYNC_REDIS_PASSWORD: 's3cret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('MODSYNC_REDIS_PASSWORD and a password in MODSYNC_REDIS_URL: give it once');
  });
});

describe('parseRedisNodes', () => {
  it('trims and keeps the order', () => {
    expect(parseRedisNodes(' b:1 ,a:2', 'X', 9)).toEqual([
      { host: 'b', port: 1 },
      { host: 'a', port: 2 },
    ]);
  });
});

describe('describeRedisTarget (what logs show)', () => {
  const cases: Array<[RedisTarget, string]> = [
    [{ mode: 'standalone', url: 'redis://:pw@r:6379/1', password: 'x' }, 'redis://:***@r:6379/1'],
    [
      {
        mode: 'sentinel',
        sentinels: [
          { host: 'a', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        masterName: 'm',
        password: 'pw',
        sentinelPassword: 'spw',
        db: 0,
      },
      'sentinel m@a:26379,[::1]:26380',
    ],
    [{ mode: 'sentinel', sentinels: [{ host: 'a', port: 26379 }], masterName: 'm', db: 2 }, 'sentinel m@a:26379 db 2'],
    [
      {
        mode: 'cluster',
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
        password: 'pw',
      },
      'cluster a:7000,b:7001',
    ],
  ];
  it.each(cases)('%j → %s', (target, expected) => {
    expect(describeRedisTarget(target)).toBe(expected);
  });
});

describe('loadRedisTarget (a service configuration)', () => {
  it('names the service in the error', () => {
    expect(() => loadRedisTarget('syncer', { MODSYNC_REDIS_CLUSTER: 'a:0' })).toThrow(
      'invalid syncer configuration: MODSYNC_REDIS_CLUSTER: "a:0" has port "0"; want 1–65535',
    );
  });
});
