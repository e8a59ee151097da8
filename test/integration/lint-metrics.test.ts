import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/src/main.ts';
import { captureIO } from '../../cli/src/capture-io.ts';

/**
 * `modsync lint` metrics received by a real Prometheus (Debian's `prometheus` package) with the
 * remote-write receiver enabled, then queried back.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOOD = join(REPO, 'libs', 'lint', 'testdata', 'good');
const PROMETHEUS = process.env['MODSYNC_PROMETHEUS'] ?? '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

interface Prom {
  url: string;
  stop: () => Promise<void>;
}

async function startPrometheus(webConfig?: string): Promise<Prom> {
  const work = mkdtempSync(join(tmpdir(), 'modsync-prometheus-'));
  const port = await freePort();
  writeFileSync(join(work, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n');
  const args = [
    `--config.file=${join(work, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(work, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver',
  ];
  if (webConfig) {
    writeFileSync(join(work, 'web.yml'), webConfig);
    args.push(`--web.config.file=${join(work, 'web.yml')}`);
  }
  const child: ChildProcess = spawn(PROMETHEUS, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log.slice(-2000)}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (ready === 200 || ready === 401) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 60s: ${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

function capture(env: NodeJS.ProcessEnv) {
  return captureIO(env, REPO);
}

let helm: string;
const running: Prom[] = [];

beforeAll(() => {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(
      `${PROMETHEUS} not found: install Debian's prometheus package (apt-get install prometheus) or set MODSYNC_PROMETHEUS`,
    );
  }
  const dir = execFileSync('bash', [join(REPO, 'test', 'env', 'build-helm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  helm = join(dir, 'helm');
}, 1_800_000);

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

describe('lint metrics by remote-write into Prometheus', () => {
  it('are stored under DMT series names and labels and can be queried back', async () => {
    const prom = await startPrometheus();
    running.push(prom);
    const io = capture({
      MODSYNC_HELM: helm,
      DMT_METRICS_URL: `${prom.url}/api/v1/write`,
      DMT_METRICS_TOKEN: 'any-token',
      DMT_REPOSITORY: 'https://github.com/acme/good-module',
      DMT_METRICS_ID: 'good-module-ci',
    });
    expect(await main(['lint', GOOD], io)).toBe(0);
    expect(io.err()).toBe('');
    const query = async (q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as {
        data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      return body.data.result;
    };
    const info = await query('dmt_info');
    expect(info).toHaveLength(1);
    expect(info[0]!.metric).toMatchObject({
      __name__: 'dmt_info',
      id: 'good-module-ci',
      repository: 'https://github.com/acme/good-module',
      version: '0.1.0',
    });
    const duration = await query('dmt_runtime_duration_seconds{id="good-module-ci"}');
    expect(Number(duration[0]!.value[1])).toBeGreaterThan(0);
    expect(await query('dmt_runtime_duration_count')).toHaveLength(1);
  }, 120_000);

  it('a rejected token is a warning and does not change the exit code', async () => {
    // Prometheus behind basic auth rejects any bearer token with 401.
    const prom = await startPrometheus(
      'basic_auth_users:\n  admin: $2y$10$FYzyTJMwaWKa2cGUvUoK1uPDXd6ZmIaYu0Exv6wYqcZ2A3ZQ8Q7xG\n',
    );
    running.push(prom);
    const io = capture({
      MODSYNC_HELM: helm,
      DMT_METRICS_URL: `${prom.url}/api/v1/write`,
      DMT_METRICS_TOKEN: 'not-the-right-token',
    });
    expect(await main(['lint', GOOD], io)).toBe(0);
    expect(io.err()).toMatch(/warning: could not send lint metrics: .*HTTP 401/);
    expect(io.err()).not.toContain('not-the-right-token');
  }, 120_000);
});
