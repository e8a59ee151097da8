import { z } from 'zod';

/** Durations as Go writes them (`3m`, `90s`, `1h30m`) or plain milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`not a duration: ${JSON.stringify(text)} (want e.g. 3m, 90s, 1h30m)`);
  const [, h = '0', m = '0', s = '0'] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}

/** A zod schema of an environment variable holding a duration, read as milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** Parses the environment with `schema`; a bad value fails naming its variable. */
export function parseEnvironment<T extends z.ZodType>(service: string, schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${service} configuration: ${problems}`);
  }
  return parsed.data;
}
