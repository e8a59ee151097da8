import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Finding } from '../core/types.ts';
import { isDir, readText, readTextIfExists } from '../fs/files.ts';
import { asArray, asRecord, isRecord, parseYaml } from '../fs/yaml.ts';
import { runJq } from '../parsers/jq.ts';

/**
 * DMT's `dmt test conversions`: runs `openapi/conversions/testcases.yaml` through the jq conversions of
 * `openapi/conversions/v*.yaml` and reports mismatches, as findings of linter `conversions`.
 */
export async function testConversions(modulePath: string): Promise<Finding[]> {
  const module = basename(modulePath);
  const out: Finding[] = [];
  const fail = (message: string, object?: string): void => {
    const f: Finding = { linter: 'conversions', rule: '', module, level: 'error', message };
    if (object) f.object = object;
    out.push(f);
  };
  const folder = join(modulePath, 'openapi', 'conversions');
  if (!isDir(folder)) return out;
  let configVersion = 0;
  try {
    configVersion =
      Number(
        asRecord(parseYaml(readTextIfExists(join(modulePath, 'openapi', 'config-values.yaml')) ?? ''))[
          'x-config-version'
        ] ?? 0,
      ) || 0;
  } catch (err) {
    fail(`cannot decode config-values.yaml: ${(err as Error).message}`);
    return out;
  }
  if (configVersion === 0) {
    fail('x-config-version is not set in config-values.yaml, but conversions exist');
    return out;
  }
  const conversions = new Map<number, string>();
  let latest = 0;
  for (const name of readdirSync(folder).sort()) {
    if (!name.endsWith('.yaml') || name === 'testcases.yaml') continue;
    const path = join(folder, name);
    let conv: Record<string, unknown>;
    try {
      conv = asRecord(parseYaml(readText(path)));
    } catch (err) {
      fail(`unmarshal: ${(err as Error).message}`);
      return out;
    }
    const version = typeof conv['version'] === 'number' ? conv['version'] : 0;
    if (version < 1) {
      fail(`invalid conversion version ${version} in ${path}: must be >= 1`);
      return out;
    }
    const list = asArray(conv['conversions']).map(String);
    if (list.length === 0) {
      fail(`empty conversions array in ${path}`);
      return out;
    }
    conversions.set(version, list.join(' | '));
    latest = Math.max(latest, version);
  }
  if (latest > 0 && configVersion !== latest) {
    fail('x-config-version with latest conversion version mismatch', 'config values version mismatch');
    return out;
  }
  const tcText = readTextIfExists(join(folder, 'testcases.yaml'));
  if (tcText === undefined) return out;
  let cases: unknown[];
  try {
    cases = asArray(asRecord(parseYaml(tcText))['testcases']);
  } catch (err) {
    fail(`cannot decode testcases file: ${(err as Error).message}`);
    return out;
  }
  for (const raw of cases) {
    const tc = asRecord(raw);
    const name = String(tc['name'] ?? '');
    try {
      let settings: unknown = parseYaml(String(tc['settings'] ?? ''));
      const expected: unknown = parseYaml(String(tc['expected'] ?? ''));
      let current = Number(tc['currentVersion'] ?? 0);
      const target = Number(tc['expectedVersion'] ?? 0);
      if (current < Math.max(1, latest) && settings !== null && settings !== undefined) {
        for (current++; current <= target; current++) {
          const program = conversions.get(current);
          if (program === undefined) throw new Error(`conversion for version ${current} not found`);
          const result = await runJq(program, settings);
          if (result.length === 0) {
            settings = null;
            break;
          }
          if (!isRecord(result[0])) throw new Error('conversion result is not a map');
          settings = result[0];
        }
      }
      if (JSON.stringify(normalize(settings)) !== JSON.stringify(normalize(expected)))
        fail(`testcase "${name}": conversion mismatch`, name);
    } catch (err) {
      fail(`testcase "${name}": ${(err as Error).message.trim()}`);
    }
  }
  return out;
}

function normalize(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(normalize);
  if (isRecord(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, normalize(v[k])]),
    );
  return v;
}
