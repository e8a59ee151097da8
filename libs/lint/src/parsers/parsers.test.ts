import { beforeAll, describe, expect, it } from 'vitest';
import { checkCel, loadCel } from './cel.ts';
import { globMatch, HelmIgnore } from './glob.ts';
import { renderWerfTemplate } from './go-template.ts';
import { runJq } from './jq.ts';
import { checkPromQL, loadPromQL } from './promql.ts';
import { parseQuantity } from './quantity.ts';
import { exampleFromPattern } from './regex-example.ts';

beforeAll(async () => {
  await loadCel();
  await loadPromQL();
});

describe('CEL', () => {
  it.each([
    ['self.replicas >= 1', true],
    ['self.a == oldSelf.a', true],
    ['has(self.x) && self.items.all(i, i.size() > 0)', true],
    ["self.name.startsWith('d8-') ? true : size(self.name) < 64", true],
    ['[1, 2].map(x, x * 2)[0] == 2', true],
    ["{'a': 1}['a'] == 1 || 1u > 0u || 1.5e3 > 0.0", true],
    ["{'a': 1}['a'] == 1u", false],
    ['self.replicas >', false],
    ['nope(', false],
    ['foo.bar >= 1', false],
    ['self.x.unknownFn()', false],
    ['self.a = 1', false],
    ["'unterminated", false],
    ["self.name.lowerAscii() == 'x'", true],
    ["self.csv.split(',').size() <= 3", true],
    ['self.items.isSorted()', true],
    ["self.mode.upperAscii() in ['A', 'B'] && self.s.trim() != ''", true],
    ["self.replicas + 'x' == 1", false],
  ])('%s → valid=%s', (expr, ok) => {
    expect(checkCel(expr, ['self', 'oldSelf']) === undefined).toBe(ok);
  });

  it('reports where the expression breaks', () => {
    expect(checkCel('nope(1)', ['self'])).toMatch(/^ERROR: <input>:1:1: /);
  });
});

describe('PromQL', () => {
  it.each([
    ['up == 0', true],
    ['sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / ignoring(code) group_left sum(rate(x[5m]))', true],
    ['histogram_quantile(0.9, sum(rate(b_bucket[1m])) by (le)) > bool 1', true],
    ['max_over_time(deriv(x[1h])[1d:5m] offset 1h)', true],
    ['topk(3, foo) and on(instance) bar', true],
    ['rate(some_metric[', false],
    ['sum(up{job="app"} == 0', false],
    ['nofunc(up)', false],
    ['up{job=}', false],
    ['', false],
    ['sum(rate(x[5m])) by (a) unless on() vector(0)', true],
    ['foo @ end() offset -5m', true],
  ])('%s → valid=%s', (expr, ok) => {
    expect(checkPromQL(expr) === undefined).toBe(ok);
  });

  it.each([
    ['rate(some_metric[', '1:18: parse error: unexpected end of input'],
    ['up{job=}', '1:8: parse error: unexpected "}"'],
  ])('%s → %s', (expr, want) => expect(checkPromQL(expr)).toBe(want));
});

describe('.helmignore', () => {
  it.each([
    ['hooks', 'hooks', true, true],
    ['hooks/', 'hooks', true, true],
    ['hooks/', 'hooks', false, false],
    ['*.md', 'README.md', false, true],
    ['/docs', 'docs', true, true],
    ['images/', 'openapi', true, false],
  ])('pattern %s on %s (dir=%s) ignores=%s', (pattern, path, dir, want) => {
    expect(HelmIgnore.parse(pattern).ignores(path, dir)).toBe(want);
  });

  it('rejects ** like helm', () => {
    expect(() => HelmIgnore.parse('docs/**')).toThrow(/double-star/);
  });

  it.each([
    ['*.yaml', 'a.yaml', true],
    ['*.yaml', 'dir/a.yaml', false],
    ['a?c', 'abc', true],
    ['[a-c]x', 'bx', true],
  ])('glob %s matches %s = %s', (p, n, want) => expect(globMatch(p, n)).toBe(want));
});

describe('jq (jq-wasm)', () => {
  it.each([
    ['del(.auth.password)', { auth: { password: 's', user: 'u' } }, { auth: { user: 'u' } }],
    ['del(.auth.password) | if .auth == {} then del(.auth) end', { auth: { password: 's' } }, {}],
    ['.a = (.b // 5)', { b: null }, { a: 5, b: null }],
    ['.list |= map(. + 1)', { list: [1, 2] }, { list: [2, 3] }],
    ['with_entries(select(.key != "x"))', { x: 1, y: 2 }, { y: 2 }],
    ['if has("old") then .new = .old | del(.old) else . end', { old: 1 }, { new: 1 }],
    ['walk(if type == "string" then ascii_downcase else . end)', { a: ['X', { b: 'Y' }] }, { a: ['x', { b: 'y' }] }],
    ['.ok = (.name | test("^d8-"))', { name: 'd8-a' }, { name: 'd8-a', ok: true }],
    ['.name |= sub("old"; "new")', { name: 'an-old-one' }, { name: 'an-new-one' }],
    ['.total = reduce .n[] as $x (0; . + $x)', { n: [1, 2, 3] }, { n: [1, 2, 3], total: 6 }],
  ])('%s', async (program, input, want) => {
    expect(await runJq(program, input)).toEqual([want]);
  });

  it("returns every output, none for empty, and rejects with jq's message", async () => {
    expect(await runJq('.a, .b', { a: 1, b: 2 })).toEqual([1, 2]);
    expect(await runJq('empty', { a: 1 })).toEqual([]);
    await expect(runJq('.a |||', {})).rejects.toThrow(/syntax error/);
  });
});

describe('werf template evaluation', () => {
  it.each([
    ['image: {{ .ModuleNamePrefix }}{{ .ImageName }}', { ModuleNamePrefix: '', ImageName: 'app' }, 'image: app'],
    ['{{- if .A }}yes{{ else }}no{{ end -}}', { A: false }, 'no'],
    ['{{ range $i, $v := .L }}{{ $i }}={{ $v }};{{ end }}', { L: ['a', 'b'] }, '0=a;1=b;'],
    ['{{ $x := "v" }}{{ $x | upper }}', {}, 'V'],
    ['{{ $.Missing }}', {}, '<no value>'],
  ])('%s', (src, data, want) => expect(renderWerfTemplate(src, data)).toBe(want));

  it('throws on what it cannot evaluate', () => {
    expect(() => renderWerfTemplate('{{ .Images.BASE }}', {})).toThrow();
    expect(() => renderWerfTemplate('{{ unknownFn 1 }}', {})).toThrow();
  });
});

describe('quantities and regex examples', () => {
  it.each([
    ['100m', 0.1],
    ['128Mi', 128 * 2 ** 20],
    ['1e3', 1000],
    [2, 2],
  ])('quantity %s = %s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  it.each([['^[a-z0-9]{16}$'], ['^(Info|Debug)$'], ['^https?://[a-z.]+$'], ['^[0-9]+(\\.[0-9]+)?(m|Mi)?$']])(
    'a value generated for %s matches it',
    (pattern) => {
      expect(new RegExp(pattern).test(exampleFromPattern(pattern, '!'))).toBe(true);
    },
  );
});
