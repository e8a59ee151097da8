import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, inject } from 'vitest';
import type { EnvironmentInfo } from './environment.ts';
import { tailLog } from './process.ts';

export type { EnvironmentInfo } from './environment.ts';
export { freePort, waitFor } from './net.ts';
export { run } from './process.ts';
export { serviceEnv, startService, type RunningService } from './services.ts';

/**
 * The environment of the integration run (test/env/global-setup.ts). Call at the top of a test file: when a test of the
 * file fails, the tail of every server's log is printed.
 */
export function useEnvironment(): EnvironmentInfo {
  const env = inject('env');
  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    // Every server's log, and those of processes the test started in the same folder (services).
    const files = new Set([...env.logFiles, ...readdirSync(env.logDir).map((f) => join(env.logDir, f))]);
    for (const file of files) process.stderr.write(`\n----- ${file} (tail) -----\n${tailLog(file)}\n`);
  });
  return env;
}
