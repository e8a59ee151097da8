import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LintResult } from '../core/types.ts';
import { LintSettings } from '../config/settings.ts';
import { buildDmtSeries, metricsIdentity, sendDmtMetrics } from './dmt-metrics.ts';
import { decodeWriteRequest, encodeWriteRequest, snappyCompress, snappyDecompress } from './remote-write.ts';
import type { TimeSeries } from './remote-write.ts';

const result: LintResult = {
  root: '/nonexistent/repo',
  modules: [{ name: 'm', path: '/nonexistent/repo', namespace: 'd8-m' }],
  findings: [
    { linter: 'container', rule: 'ports', module: 'm', level: 'error', message: 'x' },
    { linter: 'container', rule: 'ports', module: 'm', level: 'error', message: 'y' },
    { linter: 'documentation', rule: 'markdownlint', module: 'm', level: 'warn', message: 'z' },
  ],
  durationMs: 420,
  notes: [],
};

const labelsOf = (ts: TimeSeries): Record<string, string> =>
  Object.fromEntries(ts.labels.map((l) => [l.name, l.value]));

describe('snappy', () => {
  it.each([
    ['empty', ''],
    ['short literal', 'abc'],
    ['repetitive', 'dmt_linter_check_count'.repeat(500)],
    ['long literal', Array.from({ length: 5000 }, (_x, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('')],
  ])('round-trips %s input', (_name, text) => {
    const input = new TextEncoder().encode(text);
    const packed = snappyCompress(input);
    expect(new TextDecoder().decode(snappyDecompress(packed))).toBe(text);
    if (text.length > 1000 && text.startsWith('dmt')) expect(packed.length).toBeLessThan(input.length / 5);
  });
});

describe('remote-write protobuf', () => {
  it('round-trips series with labels sorted by name', () => {
    const series: TimeSeries[] = [
      {
        labels: [
          { name: 'z', value: '1' },
          { name: '__name__', value: 'up' },
        ],
        samples: [{ value: 1.5, timestampMs: 1_750_000_000_123 }],
      },
    ];
    const back = decodeWriteRequest(encodeWriteRequest(series));
    expect(back).toEqual([
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'z', value: '1' },
        ],
        samples: [{ value: 1.5, timestampMs: 1_750_000_000_123 }],
      },
    ]);
  });
});

describe('DMT series', () => {
  it.each([
    ['no repository', {}, { id: '', repository: '' }],
    [
      'DMT_REPOSITORY',
      { DMT_REPOSITORY: 'https://github.com/acme/my-module' },
      { id: 'my-module', repository: 'https://github.com/acme/my-module' },
    ],
    [
      'DMT_METRICS_ID overrides id',
      { DMT_REPOSITORY: 'https://github.com/acme/my-module', DMT_METRICS_ID: 'custom' },
      { id: 'custom', repository: 'https://github.com/acme/my-module' },
    ],
  ])('identity: %s', (_n, env, want) => {
    expect(metricsIdentity('/nonexistent/repo', env as NodeJS.ProcessEnv)).toEqual(want);
  });

  it('has DMT names and labels', () => {
    const settings = new LintSettings({}, { documentation: { impact: 'warn' } });
    const series = buildDmtSeries(
      result,
      { id: 'm', repository: 'https://x/m' },
      { version: '0.1.0', settings, now: 1000 },
    );
    const byName = (n: string): TimeSeries[] => series.filter((s) => labelsOf(s)['__name__'] === n);
    expect(labelsOf(byName('dmt_info')[0]!)).toEqual({
      __name__: 'dmt_info',
      id: 'm',
      version: '0.1.0',
      repository: 'https://x/m',
    });
    expect(byName('dmt_linter_info').map(labelsOf)).toEqual([
      { __name__: 'dmt_linter_info', id: 'm', linter: 'documentation', level: 'warn' },
    ]);
    const counts = byName('dmt_linter_check_count').map((s) => [
      labelsOf(s)['rule'],
      labelsOf(s)['level'],
      s.samples[0]!.value,
    ]);
    expect(counts).toEqual([
      ['ports', 'error', 2],
      ['markdownlint', 'warn', 1],
    ]);
    expect(byName('dmt_runtime_duration_seconds')[0]!.samples[0]!.value).toBeCloseTo(0.42);
    expect(byName('dmt_runtime_duration_count')[0]!.samples[0]!.value).toBe(1);
    expect(byName('dmt_runtime_duration_bucket').find((s) => labelsOf(s)['le'] === '0.5')!.samples[0]!.value).toBe(1);
    expect(byName('dmt_runtime_duration_bucket').find((s) => labelsOf(s)['le'] === '0.25')!.samples[0]!.value).toBe(0);
  });
});

describe('sending to a remote-write endpoint', () => {
  let server: Server;
  let url: string;
  const received: Array<{ headers: IncomingHttpHeaders; series: TimeSeries[] }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== 'Bearer good-token') {
          res.writeHead(401).end('unauthorized');
          return;
        }
        received.push({ headers: req.headers, series: decodeWriteRequest(snappyDecompress(Buffer.concat(chunks))) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('does nothing without DMT_METRICS_URL', async () => {
    expect(await sendDmtMetrics(result, { env: {}, version: '0.1.0' })).toBeUndefined();
  });

  it('posts snappy protobuf with the bearer token', async () => {
    const warning = await sendDmtMetrics(result, {
      env: { DMT_METRICS_URL: url, DMT_METRICS_TOKEN: 'good-token', DMT_REPOSITORY: 'https://github.com/acme/mod' },
      version: '0.1.0',
    });
    expect(warning).toBeUndefined();
    const last = received.at(-1)!;
    expect(last.headers['content-encoding']).toBe('snappy');
    expect(last.headers['content-type']).toBe('application/x-protobuf');
    expect(last.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    const names = last.series.map((s) => labelsOf(s)['__name__']);
    expect(names).toContain('dmt_info');
    expect(names).toContain('dmt_linter_check_count');
    expect(labelsOf(last.series.find((s) => labelsOf(s)['__name__'] === 'dmt_info')!)['id']).toBe('mod');
  });

  it('turns a rejected token into a warning that does not contain the token', async () => {
    const warning = await sendDmtMetrics(result, {
      env: { DMT_METRICS_URL: url, DMT_METRICS_TOKEN: 'bad-secret-token' },
      version: '0.1.0',
    });
    expect(warning).toMatch(/HTTP 401/);
    expect(warning).not.toContain('bad-secret-token');
  });

  it('turns an unreachable endpoint into a warning', async () => {
    const warning = await sendDmtMetrics(result, {
      env: { DMT_METRICS_URL: 'http://127.0.0.1:1/api/v1/write', DMT_METRICS_TOKEN: 't0ken-value' },
      version: '0.1.0',
      timeoutMs: 2000,
    });
    expect(warning).toMatch(/could not send lint metrics/);
    expect(warning).not.toContain('t0ken-value');
  });
});
