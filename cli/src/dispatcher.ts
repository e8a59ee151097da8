import { parseArgs } from 'node:util';

/** Where a command writes, and what it may read from its environment (so tests can capture both). */
export interface IO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** One line for `--help`. */
  description: string;
  /** Placeholder shown in `--help` for string options. @defaultValue 'value' */
  valueName?: string;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** One subcommand. Exit codes: 0 success, 1 the command's own failure (e.g. lint errors), 2 usage error. */
export interface Command {
  /** The word that selects it (`lint`; a group such as `module` holds `enable` as a subcommand). */
  name: string;
  summary: string;
  /** Positional arguments, for `--help` (`[dir...]`). @defaultValue '' */
  usage?: string;
  /** A longer description for `--help`. */
  description?: string;
  options?: Record<string, OptionSpec>;
  subcommands?: readonly Command[];
  /** Omitted on pure groups: selecting the group then prints its help. */
  run?(args: ParsedArgs, io: IO): Promise<number>;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries({ ...options, help: HELP }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${String(o.default)})` : '';
    return [flag, `${o.description}${def}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`);
}

/** The `--help` text of a command (or of the root, given the table). */
function helpText(program: string, path: string[], cmd: Command | undefined, table: readonly Command[]): string {
  const lines: string[] = [];
  const subs = cmd ? (cmd.subcommands ?? []) : table;
  const full = [program, ...path].join(' ');
  if (cmd) {
    lines.push(`${full} - ${cmd.summary}`, '');
    lines.push(`Usage: ${full}${subs.length ? ' [command]' : ''}${cmd.usage ? ` ${cmd.usage}` : ''} [options]`);
    if (cmd.description) lines.push('', cmd.description);
  } else {
    lines.push(`Usage: ${program} <command> [options]`);
  }
  if (subs.length) {
    lines.push('', 'Commands:');
    const width = Math.max(...subs.map((s) => s.name.length));
    for (const s of subs) lines.push(`  ${s.name.padEnd(width)}  ${s.summary}`);
  }
  lines.push('', 'Options:', ...optionLines(cmd?.options ?? {}));
  if (subs.length) lines.push('', `Run '${full} <command> --help' for a command's options.`);
  return `${lines.join('\n')}\n`;
}

/**
 * Dispatches argv over a command table: the first word picks a command, further words pick subcommands,
 * the rest is parsed with node:util parseArgs against the command's options. `--help` works at every level.
 */
export async function dispatch(
  program: string,
  table: readonly Command[],
  argv: readonly string[],
  io: IO,
): Promise<number> {
  let commands = table;
  let current: Command | undefined;
  const path: string[] = [];
  let rest = [...argv];
  for (;;) {
    const word = rest[0];
    const next = word !== undefined && !word.startsWith('-') ? commands.find((c) => c.name === word) : undefined;
    if (!next) break;
    current = next;
    path.push(next.name);
    rest = rest.slice(1);
    commands = next.subcommands ?? [];
    if (commands.length === 0) break;
  }
  if (!current) {
    const word = rest[0];
    if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
      io.stdout.write(helpText(program, [], undefined, table));
      return word === undefined ? 2 : 0;
    }
    io.stderr.write(`${program}: unknown command '${word}'\n\n${helpText(program, [], undefined, table)}`);
    return 2;
  }
  let parsed: ParsedArgs;
  try {
    const options = Object.fromEntries(
      Object.entries({ ...(current.options ?? {}), help: HELP }).map(([k, o]) => {
        const spec: { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean } = {
          type: o.type,
        };
        if (o.short) spec.short = o.short;
        if (o.multiple) spec.multiple = o.multiple;
        if (o.default !== undefined) spec.default = o.default;
        return [k, spec];
      }),
    );
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true }) as ParsedArgs;
  } catch (err) {
    io.stderr.write(
      `${program} ${path.join(' ')}: ${(err as Error).message}\n\n${helpText(program, path, current, table)}`,
    );
    return 2;
  }
  if (parsed.values['help'] === true || !current.run) {
    io.stdout.write(helpText(program, path, current, table));
    return current.run ? 0 : parsed.values['help'] === true ? 0 : 2;
  }
  if (current.subcommands?.length && parsed.positionals.length && !current.usage) {
    io.stderr.write(`${program} ${path.join(' ')}: unknown command '${parsed.positionals[0]}'\n`);
    return 2;
  }
  return current.run(parsed, io);
}
