import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { moduleValuesKey } from '@modsync/dkp';
import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';

export type SettingsValidation = { ok: true; settings: Record<string, unknown> } | { ok: false; message: string };

function describe(errors: readonly ErrorObject[]): string {
  return errors
    .map(
      (e) =>
        `${e.instancePath ? `settings${e.instancePath.replace(/\//g, '.')}` : 'settings'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`,
    )
    .join('; ');
}

/**
 * Validates ModuleConfig `spec.settings` against the bundle's `openapi/config-values.yaml` (JSON schema with DKP's `x-`
 * extensions), applying its defaults. A bundle without the file accepts any object. Pure but for reading the schema.
 */
export async function validateSettings(
  bundleDir: string,
  settings: Record<string, unknown> | undefined,
): Promise<SettingsValidation> {
  let schema: Record<string, unknown> | undefined;
  try {
    schema = parse(await readFile(join(bundleDir, 'openapi/config-values.yaml'), 'utf8')) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, settings: { ...settings } };
    return {
      ok: false,
      message: `openapi/config-values.yaml of the module is not valid YAML: ${(err as Error).message}`,
    };
  }
  const ajv = new Ajv({ strict: false, useDefaults: true, allErrors: true });
  let validate;
  try {
    validate = ajv.compile(schema ?? {});
  } catch (err) {
    return {
      ok: false,
      message: `openapi/config-values.yaml of the module is not a valid schema: ${(err as Error).message}`,
    };
  }
  const value = structuredClone(settings ?? {});
  if (!validate(value)) return { ok: false, message: describe(validate.errors ?? []) };
  return { ok: true, settings: value };
}

/** Helm values in DKP's shape: the module's settings (defaults applied) under its camel-case key, plus `internal`. */
export function helmValues(module: string, settings: Record<string, unknown>): Record<string, unknown> {
  return { [moduleValuesKey(module)]: { internal: {}, ...settings } };
}
