import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearTextCache, readYaml } from './fs/files.ts';
import { parseYaml, parseYamlDocs } from './fs/yaml.ts';
import { parseRendered } from './module/helm.ts';
import { checkRuleGroupsSpec } from './parsers/prometheus-rules.ts';
import { loadPromQL } from './parsers/promql.ts';
import { lint } from './runner.ts';
import { GOOD } from './testdata.ts';

// Patterns met in public DKP module repositories that DMT passes; each once gave a false finding here.

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function scratch(): string {
  const work = mkdtempSync(join(tmpdir(), 'modsync-lint-real-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  return work;
}

function copyGood(): string {
  const path = join(scratch(), 'module');
  cpSync(GOOD, path, { recursive: true });
  return path;
}

describe('YAML read as Go reads it', () => {
  it('a quoted scalar whose continuation lines sit at its key’s indentation (generated CRDs)', () => {
    const text = [
      'properties:',
      '  kind:',
      "    description: 'Kind is the type of",
      '    the object. More: https://example.org/a#b',
      "    and more.'",
      '    type: string',
      '  other:',
      '    description: "A second',
      '    line with a \\" quote."',
      '',
    ].join('\n');
    expect(parseYaml(text)).toEqual({
      properties: {
        kind: {
          description: 'Kind is the type of the object. More: https://example.org/a#b and more.',
          type: 'string',
        },
        other: { description: 'A second line with a " quote.' },
      },
    });
    expect(parseYamlDocs(`${text}---\na: 1\n`).map((d) => d.value)).toEqual([parseYaml(text), { a: 1 }]);
  });

  it('only the first document of a multi-document file (yaml.Unmarshal)', () => {
    expect(parseYaml('kind: A\n---\nkind: B\n---\n: : broken\n')).toEqual({ kind: 'A' });
  });

  it('a real syntax error is still one', () => {
    expect(() => parseYaml("a: 'never closed\nb: 1\n")).toThrow(/Missing closing 'quote/);
  });

  it('an error of the first document, with more documents after it', () => {
    expect(() => parseYaml('a: [1\n---\nb: 1\n')).toThrow(/^line 2: Flow sequence in block collection/);
    expect(parseYaml('a: 1\n...\n: : x\n---\nc: 1\n')).toEqual({ a: 1 });
  });

  it('a file is parsed once a run, its value frozen and shared, its error thrown to each caller', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'values.yaml'), 'properties:\n  a:\n    enum: [A, B]\n');
    writeFileSync(join(dir, 'broken.yaml'), 'a: [1\n');
    const first = readYaml(join(dir, 'values.yaml'));
    expect(first).toEqual({ properties: { a: { enum: ['A', 'B'] } } });
    expect(readYaml(join(dir, 'values.yaml'))).toBe(first);
    expect(Object.isFrozen((first as { properties: { a: { enum: string[] } } }).properties.a.enum)).toBe(true);
    expect(() => readYaml(join(dir, 'broken.yaml'))).toThrow(/^line 2: Flow sequence/);
    expect(() => readYaml(join(dir, 'broken.yaml'))).toThrow(/^line 2: Flow sequence/);
    clearTextCache();
    expect(readYaml(join(dir, 'values.yaml'))).not.toBe(first);
    clearTextCache();
  });
});

describe('alert templates checked as Go’s template lexer reads them', () => {
  beforeAll(loadPromQL);

  const spec = (description: string) => ({
    groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', annotations: { description } }] }],
  });

  it.each([
    ['Run `kubectl patch vm x -p \'{"spec":{"runPolicy":"Manual"}}\'` on {{ $labels.node }}.', undefined],
    ['{{ "}}" }} and {{/* a }} comment */}} and {{ `}}` }}', undefined],
    [
      'Node {{ $labels.node is down',
      'group "g", rule 1, "A": annotation "description": template: __alert_A: unclosed action',
    ],
  ])('%s', (description, want) => {
    const problem = checkRuleGroupsSpec(spec(description));
    expect(
      problem === undefined
        ? undefined
        : problem
            .split('\n')
            .find((l) => l.includes('template'))
            ?.trim(),
    ).toBe(want);
  });
});

describe('module-level findings as DMT reports them', () => {
  it('a module with no namespace is a manager "cannot create module" error', async () => {
    const path = join(scratch(), 'nons');
    mkdirSync(join(path, 'openapi'), { recursive: true });
    writeFileSync(join(path, 'module.yaml'), 'name: nons\n');
    writeFileSync(join(path, 'openapi', 'values.yaml'), 'type: object\n');
    writeFileSync(join(path, 'openapi', 'config-values.yaml'), 'type: object\n');
    const res = await lint(path, { helm: null });
    expect(
      res.findings.filter((f) => f.level === 'error').map((f) => [f.linter, f.rule, f.module, f.message, f.value]),
    ).toEqual([['manager', '', 'nons', 'cannot create module `nons`', 'module "nons" has no namespace']]);
  });

  it('no-cyrillic skips its own checker sources, as DMT does', async () => {
    const path = copyGood();
    mkdirSync(join(path, 'tools'));
    writeFileSync(join(path, 'tools', 'no_cyrillic.go'), 'package tools\n\nconst letters = "абв"\n');
    writeFileSync(join(path, 'tools', 'no_cyrillic_test.go'), 'package tools\n\nconst sample = "где"\n');
    writeFileSync(join(path, 'tools', 'other.go'), 'package tools\n\nconst word = "ёж"\n');
    const res = await lint(path, { helm: null, linters: ['no-cyrillic'] });
    expect(res.findings.map((f) => `${f.rule} ${f.file}`)).toEqual(['files tools/other.go']);
  });

  it('markdownlint reports MD059 (DMT leaves it on)', async () => {
    const path = copyGood();
    writeFileSync(join(path, 'docs', 'USAGE.md'), '# Usage\n\nThe details are at [link](cr.html).\n');
    const res = await lint(path, { helm: null, linters: ['documentation'] });
    expect(
      res.findings
        .filter((f) => f.rule === 'markdownlint')
        .map((f) => `${f.file}:${f.line} ${f.message.split(' ')[0]}`),
    ).toEqual(['docs/USAGE.md:3 MD059/descriptive-link-text']);
  });
});

describe('rendered objects include crds/, as DMT renders them', () => {
  it('a CRD file that starts with --- keeps its source path', () => {
    const out = [
      '---',
      '# Source: mod/crds/things.yaml',
      '---',
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: things.example.io',
      '',
      '---',
      '# Source: mod/templates/cm.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: settings',
      '',
    ].join('\n');
    expect(parseRendered(out).map((o) => `${o.path} ${String(o.object['kind'])}`)).toEqual([
      'crds/things.yaml CustomResourceDefinition',
      'templates/cm.yaml ConfigMap',
    ]);
  });

  it('a CRD of crds/ without the recommended labels is reported, as DMT does', async () => {
    const path = copyGood();
    // The good module's .helmignore leaves crds/ out of the chart; this one keeps it in.
    writeFileSync(join(path, '.helmignore'), 'docs\nhooks\nimages\nopenapi\n');
    writeFileSync(
      join(path, 'crds', 'extra.yaml'),
      '---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: extras.example.io\nspec:\n  group: example.io\n  names: {kind: Extra, plural: extras}\n  scope: Cluster\n  versions: []\n',
    );
    const helm = (await import('./testdata.ts')).ensureHelm();
    const res = await lint(path, { helm, linters: ['container'] });
    expect(res.findings.filter((f) => f.file === 'crds/extra.yaml').map((f) => `${f.rule} ${f.message}`)).toEqual([
      'object-recommended-labels Object does not have the label "module"',
      'object-recommended-labels Object does not have the label "heritage"',
    ]);
  });
});
