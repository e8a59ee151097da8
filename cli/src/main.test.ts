import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { captureIO } from './capture-io.ts';
import type { Command } from './dispatcher.ts';
import { dispatch } from './dispatcher.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GOOD = join(REPO, 'libs', 'lint', 'testdata', 'good');
const BAD = join(REPO, 'libs', 'lint', 'testdata', 'bad', 'module', 'legacy-release-file');

function capture(env: NodeJS.ProcessEnv = {}) {
  return captureIO(env, REPO);
}

let helmEnv: NodeJS.ProcessEnv;

beforeAll(() => {
  const dir = execFileSync('bash', [join(REPO, 'test', 'env', 'build-helm.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
  helmEnv = { MODSYNC_HELM: join(dir, 'helm') };
}, 1_800_000);

describe('dispatcher', () => {
  it.each([
    [['--help'], 0, /Usage: modsync <command>/],
    [['lint', '--help'], 0, /Usage: modsync lint \[command\] \[dir\.\.\.\] \[options\]/],
    [['lint', 'conformance', '--help'], 0, /Usage: modsync lint conformance <dmt-checkout>/],
  ])('%j prints help', async (argv, code, text) => {
    const io = capture();
    expect(await main(argv, io)).toBe(code);
    expect(io.out()).toMatch(text);
  });

  it.each([
    [[], 2],
    [['nope'], 2],
    [['lint', '--no-such-flag'], 2],
    [['lint', '--format', 'xml', GOOD], 2],
    [['lint', '--linter', 'nope', GOOD], 2],
    [['lint', join(REPO, 'no-such-folder')], 2],
    [['lint', join(GOOD, 'module.yaml')], 2],
    [['lint', join(GOOD, 'docs')], 2],
  ])('%j is a usage error', async (argv, code) => {
    const io = capture();
    expect(await main(argv, io)).toBe(code);
  });

  it('adding a command is one entry in the table', async () => {
    let seen: string[] = [];
    const hello: Command = {
      name: 'hello',
      summary: 'say hello',
      options: { name: { type: 'string', description: 'who' } },
      async run(args) {
        seen = [String(args.values['name'])];
        return 0;
      },
    };
    const group: Command = {
      name: 'module',
      summary: 'modules',
      subcommands: [{ ...hello, name: 'enable', summary: 'enable a module' }],
    };
    const io = capture();
    expect(await dispatch('modsync', [hello, group], ['hello', '--name', 'x'], io)).toBe(0);
    expect(seen).toEqual(['x']);
    expect(await dispatch('modsync', [hello, group], ['module', 'enable', '--name', 'y'], io)).toBe(0);
    expect(seen).toEqual(['y']);
    expect(await dispatch('modsync', [hello, group], ['module'], io)).toBe(2);
    expect(io.out()).toMatch(/enable\s+enable a module/);
  });
});

describe('modsync lint', () => {
  it('exits 0 on a clean module', async () => {
    const io = capture(helmEnv);
    expect(await main(['lint', GOOD], io)).toBe(0);
    expect(io.out()).toMatch(/1 module\(s\), 0 error\(s\)/);
  });

  it('exits 1 on errors and prints JSON with --format json', async () => {
    const { materialize, badCases } = await import('../../libs/lint/src/testdata.ts');
    const tree = materialize(badCases().find((c) => c.dir === BAD)!);
    try {
      const io = capture(helmEnv);
      expect(await main(['lint', tree.path, '--format', 'json'], io)).toBe(1);
      const doc = JSON.parse(io.out());
      expect(doc.findings.some((f: { rule: string }) => f.rule === 'legacy-release-file')).toBe(true);
      const sarifIO = capture(helmEnv);
      expect(await main(['lint', tree.path, '--format', 'sarif'], sarifIO)).toBe(1);
      expect(JSON.parse(sarifIO.out()).version).toBe('2.1.0');
    } finally {
      tree.cleanup();
    }
  });

  it('fails on warnings only with --strict', async () => {
    const { materialize, badCases } = await import('../../libs/lint/src/testdata.ts');
    const tree = materialize(badCases().find((c) => c.name === 'module/enabled-script')!);
    try {
      expect(await main(['lint', tree.path], capture(helmEnv))).toBe(0);
      expect(await main(['lint', tree.path, '--strict'], capture(helmEnv))).toBe(1);
    } finally {
      tree.cleanup();
    }
  });

  describe('metrics', () => {
    let server: Server;
    let url: string;
    let posts = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          if (req.headers.authorization === 'Bearer right') {
            posts++;
            res.writeHead(204).end();
          } else res.writeHead(403).end('forbidden');
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
    });
    afterAll(async () => {
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('sends metrics when DMT_METRICS_URL is set', async () => {
      const io = capture({ ...helmEnv, DMT_METRICS_URL: url, DMT_METRICS_TOKEN: 'right' });
      expect(await main(['lint', GOOD], io)).toBe(0);
      expect(posts).toBe(1);
      expect(io.err()).toBe('');
    });

    it('a bad token is a warning: exit code unchanged, token not printed', async () => {
      const io = capture({ ...helmEnv, DMT_METRICS_URL: url, DMT_METRICS_TOKEN: 'wrong-secret' });
      expect(await main(['lint', GOOD], io)).toBe(0);
      expect(io.err()).toMatch(/warning: could not send lint metrics: .*HTTP 403/);
      expect(io.err() + io.out()).not.toContain('wrong-secret');
    });
  });
});

describe('modsync test conversions', () => {
  const work = mkdtempSync(join(tmpdir(), 'modsync-conv-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function moduleWith(name: string, testcases: string, configVersion = 2): string {
    const path = join(work, name);
    mkdirSync(join(path, 'openapi', 'conversions'), { recursive: true });
    writeFileSync(join(path, 'module.yaml'), `name: ${name}\nnamespace: d8-${name}\n`);
    writeFileSync(
      join(path, 'openapi', 'config-values.yaml'),
      `type: object\nx-config-version: ${configVersion}\nproperties:\n  level: {type: string}\n`,
    );
    writeFileSync(
      join(path, 'openapi', 'conversions', 'v2.yaml'),
      'version: 2\nconversions:\n  - .level = (.logLevel // "info" | ascii_downcase) | del(.logLevel)\n',
    );
    writeFileSync(join(path, 'openapi', 'conversions', 'testcases.yaml'), testcases);
    return path;
  }

  const CASE = (expected: string): string =>
    `testcases:\n  - name: rename logLevel\n    currentVersion: 1\n    expectedVersion: 2\n    settings: |\n      logLevel: DEBUG\n    expected: |\n      level: ${expected}\n`;

  it('passes when every case converts to its expected settings', async () => {
    const io = capture();
    expect(await main(['test', 'conversions', moduleWith('conv-ok', CASE('debug'))], io)).toBe(0);
    expect(io.out()).toBe('conversions: 1 module(s) tested, no failures\n');
  });

  it('fails on a mismatch and on a version mismatch, naming the case', async () => {
    const io = capture();
    expect(await main(['test', 'conversions', moduleWith('conv-bad', CASE('DEBUG'))], io)).toBe(1);
    expect(io.out()).toBe(
      '[rename logLevel (#conversions)]\n  Message: testcase "rename logLevel": conversion mismatch\n  Module:  conv-bad\nconversions: 1 failure(s)\n',
    );
    const io2 = capture();
    expect(await main(['test', 'conversions', moduleWith('conv-version', CASE('debug'), 3)], io2)).toBe(1);
    expect(io2.out()).toMatch(/x-config-version with latest conversion version mismatch/);
  });

  it('a missing path is a usage error', async () => {
    expect(await main(['test', 'conversions', join(work, 'nope')], capture())).toBe(2);
  });
});
