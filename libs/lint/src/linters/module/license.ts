import { openSync, readSync, closeSync } from 'node:fs';
import type { Reporter } from '../../core/reporter.ts';
import { pathExcluded, stringList } from '../../config/settings.ts';
import type { ModuleContext } from '../../module/module.ts';
import { guard } from '../linter.ts';

/** Files the license rule checks, and the ones it skips (DMT's lists). */
const CHECK_RE = /\.go$|\/[^.]+$|\.sh$|\.lua$|\.py$/;
const SKIP_RE = new RegExp(
  String.raw`geohash.lua$|\.github/.*|Dockerfile$|Makefile$|/docs/documentation/|/docs/site/|bashrc$|inputrc$` +
    String.raw`|modules_menu_skip$|LICENSE$|tools/spelling/.+|/lib/python/|charts/helm_lib|PROJECT|pb.go$` +
    String.raw`|zz_generated.go$|zz_generated.*\.go$|zz_generated.*\.yaml$`,
);

interface CommentStyle {
  line?: string;
  blockStart?: string;
  blockEnd?: string;
}

const STYLES: Record<string, CommentStyle[]> = {
  go: [{ line: '//' }, { blockStart: '/*', blockEnd: '*/' }],
  sh: [{ line: '#' }],
  py: [{ line: '#' }, { blockStart: '"""', blockEnd: '"""' }, { blockStart: "'''", blockEnd: "'''" }],
  lua: [{ line: '--' }, { blockStart: '--[[', blockEnd: '--]]' }],
  yaml: [{ line: '#' }],
  js: [{ line: '//' }, { blockStart: '/*', blockEnd: '*/' }],
};

const EXT_STYLE: Record<string, string> = {
  '.go': 'go',
  '.sh': 'sh',
  '.bash': 'sh',
  '.py': 'py',
  '.lua': 'lua',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.js': 'js',
  '.ts': 'js',
  '.jsx': 'js',
  '.tsx': 'js',
  '.c': 'js',
  '.h': 'js',
  '.cpp': 'js',
  '.hpp': 'js',
  '.cc': 'js',
  '.hh': 'js',
};

/**
 * The accepted headers, written as the real ones are (blank lines included). `{{YEAR}}` is a year and
 * `{{ANYTHING}}` the rest of a line; the pattern may start anywhere in the comment, so a header that keeps an
 * upstream copyright line (e.g. The Kubernetes Authors) above Flant's still matches, as with DMT.
 */
const APACHE = `Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.`;

const TEMPLATES = [
  `Copyright {{YEAR}} Flant JSC{{ANYTHING}}\n\n${APACHE}`,
  `Copyright {{YEAR}} Flant JSC{{ANYTHING}}\n\nModifications made by Flant JSC as part of the Deckhouse project.\n\n${APACHE}`,
  `Copyright (c){{ANYTHING}} Flant JSC{{ANYTHING}}\nSPDX-License-Identifier: Apache-2.0`,
  `Copyright {{YEAR}} Flant JSC{{ANYTHING}}\nLicensed under the Deckhouse Platform Enterprise Edition (EE) license. See https://github.com/deckhouse/deckhouse/blob/main/ee/LICENSE`,
];

/** A header template as a pattern over normalized comment text. */
function licensePattern(template: string): RegExp {
  const escaped = escapeRegExp(normalize(template));
  return new RegExp(
    escaped.replaceAll('\\{\\{YEAR\\}\\}', '(20[0-9]{2})').replaceAll('\\{\\{ANYTHING\\}\\}', '(?:[^\\n]*?)'),
  );
}

const LICENSES: RegExp[] = TEMPLATES.map(licensePattern);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readHead(abs: string, size: number): string {
  const fd = openSync(abs, 'r');
  try {
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function styleFor(rel: string, abs: string): CommentStyle[] | undefined {
  if (rel.endsWith('Dockerfile')) return [{ line: '#' }];
  const dot = rel.lastIndexOf('.');
  const slash = rel.lastIndexOf('/');
  const ext = dot > slash ? rel.slice(dot).toLowerCase() : '';
  const byExt = EXT_STYLE[ext];
  if (byExt) return STYLES[byExt];
  if (ext === '') {
    const head = readHead(abs, 100).trim();
    if (head.startsWith('#!/')) {
      if (head.includes('sh') || head.includes('bash')) return STYLES['sh'];
      if (head.includes('python')) return STYLES['py'];
    }
  }
  return undefined;
}

function normalize(text: string): string {
  return text
    .trim()
    .replaceAll('\r\n', '\n')
    .split('\n')
    .map((l) => {
      let s = l.trim();
      if (s.startsWith('* ')) s = s.slice(2);
      else if (s.startsWith(' *')) s = s.slice(2);
      else if (s.startsWith('*')) s = s.slice(1);
      return s.trim();
    })
    .join('\n');
}

function extract(header: string, style: CommentStyle): string {
  if (style.blockStart && style.blockEnd) {
    const start = header.indexOf(style.blockStart);
    if (start < 0) return '';
    const from = start + style.blockStart.length;
    const end = header.indexOf(style.blockEnd, from);
    if (end < 0) return '';
    return normalize(header.slice(from, end));
  }
  const prefix = style.line!;
  const lines: string[] = [];
  let inLicense = false;
  for (const raw of header.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith(prefix)) {
      const content = trimmed.slice(prefix.length).trim();
      if (!inLicense && content.toLowerCase().startsWith('copyright')) inLicense = true;
      if (inLicense) {
        lines.push(content);
        if (
          content.includes('limitations under the License') ||
          content.includes('See https://github.com/deckhouse/deckhouse')
        )
          break;
      }
    } else if (inLicense && trimmed !== '') break;
  }
  return lines.join('\n');
}

/** The error text for a file's license header, or undefined when it is fine or not checked. */
export function licenseProblem(rel: string, abs: string): string | undefined {
  const styles = styleFor(rel, abs);
  if (!styles) return undefined;
  const header = readHead(abs, 2048);
  if (/generated[\s\S]{0,200}?do\s*not\s*(edit|modify)/.test(header.toLowerCase())) return undefined;
  let text = '';
  for (const s of styles) {
    text = extract(header, s);
    if (text !== '') break;
  }
  if (text === '') return 'no license header found';
  const normalized = normalize(text);
  return LICENSES.some((re) => re.test(normalized)) ? undefined : 'license header does not match any known license';
}

/** The `license` rule: source files carry a Flant license header. */
export function checkLicense(ctx: ModuleContext, report: Reporter): void {
  const files = stringList((ctx.settings.excludeMap('module', 'license')['files'] as unknown[]) ?? []);
  const dirs = stringList((ctx.settings.excludeMap('module', 'license')['directories'] as unknown[]) ?? []);
  for (const f of ctx.tree.files) {
    if (f.size === 0 || f.symlink) continue;
    if (!CHECK_RE.test(f.rel) || SKIP_RE.test(f.rel)) continue;
    if (pathExcluded(files, dirs, f.rel)) continue;
    guard(report.withFile(f.rel), f.rel, () => {
      const problem = licenseProblem(f.rel, f.abs);
      if (problem) report.withFile(f.rel).error(problem);
    });
  }
}
