import { KubeApiError, type KubeClient } from '@modsync/k8s';
import type { IO, OptionSpec, ParsedArgs } from './dispatcher.ts';
import { kubeClient } from './kube.ts';

/** Options several commands share, spelled once. */
const kubeconfigOption: OptionSpec = {
  type: 'string',
  valueName: 'file',
  description: 'kubeconfig (default: $KUBECONFIG, its files merged; ~/.kube/config; in-cluster)',
};
const contextOption: OptionSpec = {
  type: 'string',
  valueName: 'name',
  description: 'kubeconfig context to use (default: its current-context)',
};
/** --kubeconfig and --context, which every command that talks to the cluster takes. */
export const kubeOptions = { kubeconfig: kubeconfigOption, context: contextOption };
export const outputOption: OptionSpec = {
  type: 'string',
  short: 'o',
  valueName: 'format',
  description: 'table or json',
  default: 'table',
};

/** `--output`, checked: `table`/`text` or `json`; undefined (after writing the usage error) for anything else. */
export function outputFormat(
  args: ParsedArgs,
  io: IO,
  command: string,
  human: 'table' | 'text',
): 'human' | 'json' | undefined {
  const value = String(args.values['output'] ?? human);
  if (value === 'json') return 'json';
  if (value === human || value === 'table' || value === 'text') return 'human';
  io.stderr.write(`modsync ${command}: --output takes ${human} or json, not '${value}'\n`);
  return undefined;
}

/** A positive number of milliseconds from a string option; undefined (after the usage error) otherwise. */
export function millis(args: ParsedArgs, io: IO, command: string, name: string): number | undefined {
  const value = Number(args.values[name]);
  if (Number.isFinite(value) && value > 0) return value;
  io.stderr.write(`modsync ${command}: --${name} takes a positive number of milliseconds\n`);
  return undefined;
}

/** The message worth showing for an error: the API server's own words, the cause of a failed fetch. */
export function errorText(err: unknown): string {
  if (err instanceof KubeApiError) return err.serverMessage;
  if (err instanceof Error) return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
  return String(err);
}

/** A Kubernetes client from --kubeconfig/$KUBECONFIG/in-cluster; undefined (after saying why) when there is none. */
export async function openKube(args: ParsedArgs, io: IO, command: string): Promise<KubeClient | undefined> {
  try {
    return await kubeClient(
      io,
      args.values['kubeconfig'] as string | undefined,
      args.values['context'] as string | undefined,
    );
  } catch (err) {
    io.stderr.write(`modsync ${command}: no usable kubeconfig (${errorText(err)}): set --kubeconfig or KUBECONFIG\n`);
    return undefined;
  }
}
