import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEnvironment, type EnvironmentInfo } from '../env/environment.ts';
import { formatSummary, type ScenarioResult } from './summary.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    chaosEnv: EnvironmentInfo;
  }
}

/**
 * The chaos run's servers: a control plane and a registry, shared. Each scenario starts the Redis it breaks (killing a
 * shared one would break the others). At the end, the summary table of every scenario (test/chaos/summary.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // MODSYNC_KEEP_LOGS=1 keeps the servers' and services' logs (the folder is printed) to look into a failed scenario.
  const keepDir = process.env.MODSYNC_KEEP_LOGS === '1';
  const env = await startEnvironment({ controlPlane: true, registry: true, keepDir });
  if (keepDir) process.stdout.write(`chaos logs: ${env.info.logDir}\n`);
  project.provide('chaosEnv', env.info);
  return async () => {
    let results: ScenarioResult[] = [];
    try {
      const text = await readFile(join(env.info.dir, 'chaos-results.jsonl'), 'utf8');
      results = text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as ScenarioResult);
    } catch {
      // no scenario recorded anything (all skipped or failed before recording)
    }
    process.stdout.write(`\n${formatSummary(results)}\n`);
    await env.stop();
  };
}
