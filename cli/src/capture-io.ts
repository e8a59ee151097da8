import type { IO } from './dispatcher.ts';

/** An IO that keeps what a command writes, for tests that run the CLI in process. */
export function captureIO(env: NodeJS.ProcessEnv, cwd: string): IO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s) },
    env,
    cwd,
    out: () => out,
    err: () => err,
  };
}
