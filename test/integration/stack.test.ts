// The README's main command: the local stack comes up from nothing, the guide's commands print the guide's tables against
// it (real kubectl), and Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../env/paths.ts';
import { run, useEnvironment, waitFor } from '../env/index.ts';

useEnvironment();

describe('npm run stack', () => {
  it('comes up with demo modules, serves the guide’s kubectl commands, and stops on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'modsync-stack-test-'));
    const exportsFile = join(dir, 'exports');
    const child = spawn(
      join(REPO_ROOT, 'node_modules/.bin/node'),
      ['scripts/stack.ts', '--exports-file', exportsFile],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the stack', async () => output.includes('Press Ctrl-C to stop everything.'), 180_000, 250);
      expect(output).toMatch(/dashboard http:\/\/127\.0\.0\.1:\d+\/dashboard \(user admin, password \w+\)/);
      const vars = Object.fromEntries(
        (await readFile(exportsFile, 'utf8'))
          .trim()
          .split('\n')
          .map(
            (l) =>
              l
                .replace(/^export /, '')
                .split(/=(.*)/s)
                .slice(0, 2) as [string, string],
          ),
      );
      const kubectl = (...args: string[]) =>
        run(join(vars['PATH']!.split(':')[0]!, 'kubectl'), args, {
          env: { ...process.env, KUBECONFIG: vars['KUBECONFIG']! },
        });
      const cells = (table: string, n: number) => (table.split('\n')[n] ?? '').trim().split(/\s{2,}/);

      await waitFor('example Ready', async () => cells(await kubectl('get', 'ms'), 1)[3] === 'Ready', 30_000, 250);
      expect(cells(await kubectl('get', 'ms'), 0)).toEqual(['NAME', 'COUNT', 'SYNC', 'MSG']);
      expect(cells(await kubectl('get', 'ms'), 1)).toEqual(['example', '2', expect.stringMatching(/^\d+s$/), 'Ready']);
      await waitFor('modules', async () => (await kubectl('get', 'module')).includes('module-two'), 30_000, 250);
      const modules = await kubectl('get', 'module');
      expect(cells(modules, 0)).toEqual(['NAME', 'WEIGHT', 'SOURCE', 'PHASE', 'ENABLED', 'READY']);
      expect(modules.split('\n')[1]!.trim().split(/\s+/)).toEqual(['module-one', 'Available', 'False', 'False']);

      await run(join(vars['PATH']!.split(':')[0]!, 'kubectl'), ['apply', '-f', '-'], {
        input:
          'apiVersion: deckhouse.io/v1alpha1\nkind: ModuleConfig\nmetadata: {name: module-one}\nspec: {enabled: true, source: example}\n',
        env: { ...process.env, KUBECONFIG: vars['KUBECONFIG']! },
      });
      await waitFor(
        'module-one Ready',
        async () =>
          /^module-one\s+910\s+example\s+Ready\s+True\s+True$/.test(
            (await kubectl('get', 'module', 'module-one')).split('\n')[1]!.trim(),
          ),
        60_000,
        250,
      );
      expect((await kubectl('get', 'mr')).split('\n')[1]).toMatch(
        /^module-one-v0\.7\.24\s+Deployed\s+deckhouse\s+\d+s/,
      );
    } finally {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
    const left = (await run('docker', ['ps', '-q', '--filter', `label=modsync.pid=${child.pid}`])).trim();
    expect(left).toBe('');
  });
});
