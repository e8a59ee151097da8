import type { TestProject } from 'vitest/node';
import { startEnvironment, type EnvironmentInfo } from './environment.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    env: EnvironmentInfo;
  }
}

/** Starts one environment for the whole integration run (servers take seconds to start); tests isolate by names. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = await startEnvironment({
    controlPlane: true,
    redis: { password: true },
    registry: true,
    secureRegistry: true,
  });
  project.provide('env', env.info);
  return () => env.stop();
}
