import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, listenHttp } from './http-server.ts';
import { createLogger } from './log.ts';
import { createMetricsRegistry } from './metrics.ts';

describe('createHttpServer', () => {
  let close: (() => Promise<unknown>) | undefined;
  let dir = '';
  afterEach(async () => {
    await close?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('listenHttp on port 0 binds a free port and leaves it in the port file, where a probe finds the server', async () => {
    let ready = false;
    const app = createHttpServer({ registry: createMetricsRegistry('test'), isReady: () => ready });
    close = () => app.close();
    dir = await mkdtemp(join(tmpdir(), 'modsync-port-'));
    const file = join(dir, 'http-port');
    const address = await listenHttp(
      app,
      { host: '127.0.0.1', port: 0, portFile: file },
      createLogger({ service: 'test', level: 'silent' }),
    );
    expect(address).toBe(`http://127.0.0.1:${(await readFile(file, 'utf8')).trim()}`);

    const port = (await readFile(file, 'utf8')).trim();
    expect(Number(port)).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
