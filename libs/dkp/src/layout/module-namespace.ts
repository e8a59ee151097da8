import { parse } from 'yaml';

/** DKP's namespace of a module whose `module.yaml` names none (dkp-contract.md §2). */
export function defaultModuleNamespace(module: string): string {
  return `d8-${module}`;
}

/**
 * The namespace a module bundle installs into (pure): `module.yaml`'s `namespace`, else DKP's default. A bundle
 * without `module.yaml` (`text` undefined) or without `namespace` gets the default; a `module.yaml` that is not YAML,
 * not a mapping, or whose `namespace` is not a non-empty string is refused with why.
 */
export function moduleNamespace(module: string, text: string | undefined): { namespace: string } | { error: string } {
  if (text === undefined) return { namespace: defaultModuleNamespace(module) };
  let definition: unknown;
  try {
    definition = parse(text, { logLevel: 'error' }) as unknown;
  } catch (err) {
    return { error: `module.yaml is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (definition === null || definition === undefined) return { namespace: defaultModuleNamespace(module) };
  if (typeof definition !== 'object' || Array.isArray(definition)) return { error: 'module.yaml is not a mapping' };
  const namespace = (definition as { namespace?: unknown }).namespace;
  if (namespace === undefined || namespace === null) return { namespace: defaultModuleNamespace(module) };
  if (typeof namespace !== 'string' || namespace === '')
    return { error: `module.yaml: namespace must be a non-empty string, got ${JSON.stringify(namespace)}` };
  return { namespace };
}
