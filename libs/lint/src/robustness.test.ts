import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lint } from './runner.ts';
import { ensureHelm, GOOD } from './testdata.ts';
import type { Linter } from './linters/linter.ts';
import { guard } from './linters/linter.ts';
import { FindingSink, Reporter } from './core/reporter.ts';

let helm: string;
const cleanups: Array<() => void> = [];

beforeAll(() => {
  helm = ensureHelm();
}, 1_800_000);

afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function copyGood(): string {
  const work = mkdtempSync(join(tmpdir(), 'modsync-lint-robust-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const path = join(work, 'module');
  cpSync(GOOD, path, { recursive: true });
  return path;
}

describe('robustness: odd input becomes findings, never a crash', () => {
  it('malformed YAML, huge files, symlinks and odd encodings', async () => {
    const path = copyGood();
    writeFileSync(join(path, 'openapi', 'extra.yaml'), 'type: object\nproperties: {a: [1, 2\n');
    writeFileSync(join(path, 'crds', 'broken.yaml'), 'kind: CustomResourceDefinition\n  metadata: : :\n');
    mkdirSync(join(path, 'files'));
    writeFileSync(join(path, 'files', 'huge.yaml'), `data: "${'x'.repeat(9 * 1024 * 1024)}"\n`);
    writeFileSync(join(path, 'files', 'binary.yaml'), Buffer.from([0x6b, 0x3a, 0x00, 0x01, 0x02, 0xff]));
    writeFileSync(
      join(path, 'files', 'utf16.yaml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('greeting: Привет\n', 'utf16le')]),
    );
    writeFileSync(join(path, 'files', 'latin1.yaml'), Buffer.from([0x6b, 0x3a, 0x20, 0xe9, 0xe8, 0x0a]));
    symlinkSync('does-not-exist.md', join(path, 'docs', 'BROKEN.md'));
    symlinkSync('..', join(path, 'docs', 'loop'));
    symlinkSync('.', join(path, 'self'));
    writeFileSync(join(path, 'docs', 'EMPTY.md'), '');
    writeFileSync(join(path, 'docs', 'EMPTY.ru.md'), '');

    const res = await lint(path, { helm });
    const by = (linter: string, rule: string) => res.findings.filter((f) => f.linter === linter && f.rule === rule);
    expect(
      by('openapi', 'enum').some(
        (f) => f.file === 'openapi/extra.yaml' && f.message.includes('openAPI file is not valid'),
      ),
    ).toBe(true);
    expect(by('openapi', 'deckhouse-crds').some((f) => f.message.includes("Can't parse manifests"))).toBe(true);
    expect(by('no-cyrillic', 'files').some((f) => f.file === 'files/huge.yaml' && f.message.includes('over the'))).toBe(
      true,
    );
    expect(
      by('no-cyrillic', 'files').some((f) => f.file === 'files/binary.yaml' && f.message.includes('not a text file')),
    ).toBe(true);
    expect(
      by('no-cyrillic', 'files').some((f) => f.file === 'files/utf16.yaml' && f.message === 'has cyrillic letters'),
    ).toBe(true);
    // every other rule still ran: the good module's objects were rendered and checked
    expect(res.modules.map((m) => m.name)).toEqual(['good-module']);
    expect(by('templates', 'helm-render')).toEqual([]);
  });

  it('symlink loops, a huge template and a non-UTF-8 name in templates/ are reported; the render goes on; no scratch folder is left', async () => {
    const path = copyGood();
    const templates = join(path, 'templates');
    symlinkSync('b.yaml', join(templates, 'a.yaml'));
    symlinkSync('a.yaml', join(templates, 'b.yaml'));
    mkdirSync(join(templates, 'nested'));
    symlinkSync('..', join(templates, 'nested', 'up'));
    writeFileSync(join(templates, 'huge.yaml'), `# ${'x'.repeat(9 * 1024 * 1024)}\n`);
    writeFileSync(
      Buffer.concat([Buffer.from(`${templates}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('.yaml')]),
      'kind: ConfigMap\n',
    );
    const scratch = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('modsync-render-'));
    const before = scratch();

    const res = await lint(path, { helm });
    const manager = res.findings.filter((f) => f.linter === 'manager').map((f) => [f.level, f.file, f.message]);
    expect(manager).toEqual(
      expect.arrayContaining([
        [
          'warn',
          'templates/a.yaml',
          'template "templates/a.yaml" was left out of the render (a symlink loop); the rest of the chart was still linted',
        ],
        [
          'warn',
          'templates/b.yaml',
          'template "templates/b.yaml" was left out of the render (a symlink loop); the rest of the chart was still linted',
        ],
        [
          'warn',
          'templates/nested/up',
          'template "templates/nested/up" was left out of the render (a symlink back into a folder already copied); the rest of the chart was still linted',
        ],
        [
          'warn',
          'templates/huge.yaml',
          'template "templates/huge.yaml" was left out of the render (9437187 bytes, over the 8 MiB limit); the rest of the chart was still linted',
        ],
        [
          'warn',
          'templates/bad-\u00ff\u00fe.yaml',
          'cannot read `templates/bad-\u00ff\u00fe.yaml`: the file name is not valid UTF-8; the rules skipped it',
        ],
      ]),
    );
    expect(res.findings.filter((f) => f.rule === 'helm-render')).toEqual([]);
    // The rules that read templates' text report the oversized one as their own finding.
    expect(res.findings.filter((f) => f.level === 'error').map((f) => `${f.linter}/${f.rule} ${f.file}`)).toEqual([
      'no-cyrillic/files templates/huge.yaml',
      'templates/cluster-domain templates/huge.yaml',
    ]);
    expect(scratch().filter((n) => !before.includes(n))).toEqual([]);
  });

  it("helm's rendered output over the cap is a helm-render error, not a parse of all of it", async () => {
    const path = copyGood();
    const line = 'y'.repeat(200);
    writeFileSync(
      join(path, 'templates', 'big.yaml'),
      `{{- range $i := until 100000 }}\n# {{ $i }} ${line}\n{{- end }}\n`,
    );
    const res = await lint(path, { helm, linters: ['templates'] });
    expect(res.findings.filter((f) => f.rule === 'helm-render').map((f) => [f.level, f.message])).toEqual([
      ['error', 'helm render failed: the rendered chart is over 16 MiB; its objects were not linted'],
    ]);
  });

  it('a VPA guarded by the vertical-pod-autoscaler-crd module renders (DMT enables the -crd modules by default)', async () => {
    const path = copyGood();
    const vpa = join(path, 'templates', 'vpa.yaml');
    writeFileSync(
      vpa,
      `{{- if (.Values.global.enabledModules | has "vertical-pod-autoscaler-crd") }}\n${readFileSync(vpa, 'utf8')}{{- end }}\n`,
    );
    const res = await lint(path, { helm, linters: ['templates'] });
    expect(
      res.findings.filter((f) => f.rule === 'vpa' || f.rule === 'helm-render').map((f) => `${f.rule}: ${f.message}`),
    ).toEqual([]);
    expect(res.findings.map((f) => f.rule)).toEqual(['crd-enabled-modules']);
  });

  it('a rule that throws becomes a finding of that rule naming the file, and the next rule runs', async () => {
    const path = copyGood();
    const ran: string[] = [];
    const throwing: Linter = {
      id: 'exploding',
      description: 'throws on purpose',
      rules: ['boom'],
      run(_ctx, report) {
        guard(report.withRule('boom'), 'module.yaml', () => {
          throw new Error('kaboom');
        });
        ran.push('after-guard');
        throw new TypeError('unguarded');
      },
    };
    const after: Linter = {
      id: 'after',
      description: 'records that it ran',
      rules: [],
      run: () => void ran.push('after-linter'),
    };
    const res = await lint(path, { helm: null, linterSet: [throwing, after] });
    expect(res.findings.map((f) => [f.linter, f.rule, f.file, f.message])).toEqual([
      ['exploding', 'boom', 'module.yaml', 'rule boom failed on module.yaml: kaboom'],
      ['exploding', 'internal', undefined, 'rule internal failed: unguarded'],
    ]);
    expect(ran).toEqual(['after-guard', 'after-linter']);
  });

  it('guard reports the file of the reporter when none is given', () => {
    const sink = new FindingSink();
    guard(new Reporter(sink, { linter: 'l', rule: 'r', module: 'm' }).withFile('a.yaml'), undefined, () => {
      throw new Error('x');
    });
    expect(sink.findings).toEqual([
      { linter: 'l', rule: 'r', module: 'm', level: 'error', file: 'a.yaml', message: 'rule r failed on a.yaml: x' },
    ]);
  });
});

describe('speed', () => {
  it('lints a generated module of a few hundred files (prints the figure)', async () => {
    const path = copyGood();
    const license =
      '// Copyright 2025 Flant JSC\n//\n// Licensed under the Apache License, Version 2.0 (the "License");\n// you may not use this file except in compliance with the License.\n// You may obtain a copy of the License at\n//\n//     http://www.apache.org/licenses/LICENSE-2.0\n//\n// Unless required by applicable law or agreed to in writing, software\n// distributed under the License is distributed on an "AS IS" BASIS,\n// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n// See the License for the specific language governing permissions and\n// limitations under the License.\n';
    mkdirSync(join(path, 'hooks', 'go'), { recursive: true });
    for (let i = 0; i < 120; i++)
      writeFileSync(
        join(path, 'hooks', 'go', `hook${i}.go`),
        `${license}\npackage hooks\n\nfunc Hook${i}() int { return ${i} }\n`,
      );
    for (let i = 0; i < 80; i++) {
      writeFileSync(
        join(path, 'templates', `cm-${i}.yaml`),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: d8-good-module\n  labels:\n    heritage: deckhouse\n    module: good-module\ndata:\n  level: {{ .Values.goodModule.logLevel | quote }}\n`,
      );
    }
    for (let i = 0; i < 60; i++) {
      writeFileSync(join(path, 'docs', `PAGE${i}.md`), `# Page ${i}\n\nSome text for page ${i}.\n`);
      writeFileSync(join(path, 'docs', `PAGE${i}.ru.md`), `# Страница ${i}\n\nТекст страницы ${i}.\n`);
    }
    for (let i = 0; i < 30; i++) {
      mkdirSync(join(path, 'images', `img${i}`));
      writeFileSync(
        join(path, 'images', `img${i}`, 'werf.inc.yaml'),
        `---\nimage: {{ .ModuleNamePrefix }}{{ .ImageName }}\nfromImage: base/distroless\n`,
      );
    }
    const started = performance.now();
    const res = await lint(path, { helm });
    const ms = performance.now() - started;
    const files = res.modules.length ? (await import('./fs/files.ts')).walkTree(path).files.length : 0;
    console.log(
      `modsync lint: ${files} files, ${res.findings.length} findings, ${ms.toFixed(0)} ms (helm render included)`,
    );
    expect(res.findings.filter((f) => f.level === 'error')).toEqual([]);
  });
});
