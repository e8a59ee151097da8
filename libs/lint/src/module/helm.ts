import { spawn } from 'node:child_process';
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  accessSync,
  constants,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { HelmRenderError } from '../errors.ts';
import { errorText, exists, MAX_TEXT_FILE_BYTES, MAX_WALK_ENTRIES } from '../fs/files.ts';
import { isRecord, parseYamlDocs, YamlParseError } from '../fs/yaml.ts';
import { STUB_REGISTRY } from './values.ts';

/** Where build-helm.sh puts helm: `${XDG_CACHE_HOME:-$HOME/.cache}/modsync/helm/<version>/helm`. */
function helmCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['MODSYNC_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'modsync');
  return join(base, 'helm');
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Finds helm: `MODSYNC_HELM`, then PATH, then the newest build in the modsync cache. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['MODSYNC_HELM'];
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'helm'))) return join(dir, 'helm');
  }
  const cache = helmCacheDir(env);
  try {
    const versions = readdirSync(cache)
      .filter((v) => /^v\d+\.\d+\.\d+$/.test(v))
      .sort((a, b) => compareVersions(b, a));
    for (const v of versions) if (isExecutable(join(cache, v, 'helm'))) return join(cache, v, 'helm');
  } catch {
    // no cache folder
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.slice(1).split('.').map(Number);
  const pb = b.slice(1).split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** API versions an offline render declares, so `.Capabilities.APIVersions.Has` guards pass (as DMT's). */
const EXTRA_API_VERSIONS = [
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler',
  'cert-manager.io/v1',
  'gateway.networking.k8s.io/v1/Gateway',
  'gateway.networking.k8s.io/v1/HTTPRoute',
  'gateway.networking.k8s.io/v1/ListenerSet',
  'monitoring.coreos.com/v1',
  'deckhouse.io/v1alpha1',
];

/** Defines that shadow deckhouse_lib_helm's image helpers, so any image resolves offline. */
const IMAGE_STUB = `{{- define "_modsync_image_ref" -}}
{{- $base := "${STUB_REGISTRY}" -}}
{{- with .Values.global }}{{ with .modulesImages }}{{ with .registry }}{{ with .base }}{{ $base = . }}{{ end }}{{ end }}{{ end }}{{ end -}}
{{- printf "%s@%s" $base "sha256:d478cd82cb6a604e3a27383daf93637326d402570b2f3bec835d1f84c9ed0acc" -}}
{{- end -}}
{{- define "helm_lib_module_image" -}}{{ include "_modsync_image_ref" (index . 0) }}{{- end -}}
{{- define "helm_lib_module_image_no_fail" -}}{{ include "_modsync_image_ref" (index . 0) }}{{- end -}}
{{- define "helm_lib_module_common_image" -}}{{ include "_modsync_image_ref" (index . 0) }}{{- end -}}
{{- define "helm_lib_module_common_image_no_fail" -}}{{ include "_modsync_image_ref" (index . 0) }}{{- end -}}
{{- define "helm_lib_module_image_digest" -}}sha256:d478cd82cb6a604e3a27383daf93637326d402570b2f3bec835d1f84c9ed0acc{{- end -}}
{{- define "helm_lib_module_image_digest_no_fail" -}}sha256:d478cd82cb6a604e3a27383daf93637326d402570b2f3bec835d1f84c9ed0acc{{- end -}}
`;

export interface RenderedObject {
  /** Template path relative to the chart root, e.g. `templates/deployment.yaml`. */
  path: string;
  object: Record<string, unknown>;
}

interface Dropped {
  path: string;
  cause: string;
  /** Left out before rendering (a symlink loop, unreadable, too large) rather than after helm failed on it. */
  copy?: true;
}

export interface RenderResult {
  objects: RenderedObject[];
  /** Templates whose render aborted (or that could not be copied: `copy`), which were dropped, with the cause. */
  dropped: Dropped[];
}

export interface RenderOptions {
  helm: string;
  modulePath: string;
  release: string;
  namespace: string;
  values: Record<string, unknown>;
  /** @defaultValue 60000 */
  timeoutMs?: number;
}

/** helm's rendered output is read up to this size; a chart rendering more is reported, not parsed. */
const MAX_RENDERED_BYTES = 2 * MAX_TEXT_FILE_BYTES;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The output went over MAX_RENDERED_BYTES and helm was stopped. */
  overflow: boolean;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'modsync-helm-cache') },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let overflow = false;
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      if (overflow) return;
      outBytes += b.length;
      if (outBytes > MAX_RENDERED_BYTES) {
        overflow = true;
        out.length = 0;
        child.kill('SIGKILL');
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      // Only the start of stderr matters (the error); a chatty helm cannot grow it without bound.
      if (errBytes < 1024 * 1024) err.push(b);
      errBytes += b.length;
    });
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // helm 4 logs notices (level=INFO msg=...) to stderr; only the error lines matter here.
      const errText = Buffer.concat(err)
        .toString('utf8')
        .split('\n')
        .filter((l) => !/^level=(DEBUG|INFO|WARN)\b/.test(l))
        .join('\n')
        .trim();
      const reason = spawnError ? errorText(spawnError) : timedOut ? `helm did not finish within ${timeoutMs} ms` : '';
      resolve({
        code: overflow || timedOut || spawnError ? -1 : (code ?? -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: errText || reason,
        overflow,
      });
    });
  });
}

/** The manifest template that an execution error points at (DMT's failingManifestTemplate), if droppable. */
function failingTemplate(stderr: string): string | undefined {
  const m = /\(([^():\s]+):\d+:\d+\)/.exec(stderr) ?? /template: ([^:\s]+):\d+:\d+: executing/.exec(stderr);
  if (!m) return undefined;
  const full = m[1]!;
  const slash = full.indexOf('/');
  if (slash < 0) return undefined;
  const rel = full.slice(slash + 1);
  if (!rel.startsWith('templates/')) return undefined;
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (base.startsWith('_')) return undefined;
  return /\.ya?ml$/i.test(rel) ? rel : undefined;
}

/** Scratch folders of renders under way, removed at exit whatever happens (an interrupted run leaves nothing behind). */
const liveWorkDirs = new Set<string>();
let exitHookInstalled = false;

function trackWorkDir(dir: string): void {
  liveWorkDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveWorkDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * Renders a module chart with `helm template` in a scratch copy (templates/ copied, everything else
 * symlinked), dropping — one at a time — each manifest template whose render aborts, like DMT's tolerant
 * render. Templates that cannot be copied (symlink loops, unreadable or over MAX_TEXT_FILE_BYTES) are left out
 * and listed in `dropped`. Throws HelmRenderError for a failure that cannot be narrowed to one template, and
 * when the rendered output is over MAX_RENDERED_BYTES.
 */
export async function renderChart(opts: RenderOptions): Promise<RenderResult> {
  const work = mkdtempSync(join(tmpdir(), 'modsync-render-'));
  trackWorkDir(work);
  try {
    const chart = join(work, 'chart');
    const dropped = prepareChart(opts.modulePath, chart, opts.release);
    const valuesFile = join(work, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(opts.values));
    // CRDs of crds/ are rendered objects too: DMT's renderer (nelm) returns them with the templates' objects.
    const args = [
      'template',
      opts.release,
      chart,
      '--namespace',
      opts.namespace,
      '--values',
      valuesFile,
      '--include-crds',
    ];
    for (const v of EXTRA_API_VERSIONS) args.push('--api-versions', v);
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await run(opts.helm, args, opts.timeoutMs ?? 60_000);
      if (res.overflow) {
        throw new HelmRenderError(
          `the rendered chart is over ${MAX_RENDERED_BYTES / 1024 / 1024} MiB; its objects were not linted`,
          '',
        );
      }
      if (res.code === 0) return { objects: parseRendered(res.stdout), dropped };
      const rel = failingTemplate(res.stderr);
      const target = rel ? join(chart, rel) : undefined;
      if (!rel || !target || !exists(target) || dropped.some((d) => d.path === rel)) {
        throw new HelmRenderError(
          res.stderr.trim().replace(/^Error: /, '') || `helm exited with ${res.code}`,
          res.stderr,
        );
      }
      dropped.push({ path: rel, cause: res.stderr.trim().replace(/^Error: /, '') });
      writeFileSync(target, DROPPED_TEMPLATE);
    }
    throw new HelmRenderError('too many failing templates', '');
  } finally {
    rmSync(work, { recursive: true, force: true });
    liveWorkDirs.delete(work);
  }
}

const DROPPED_TEMPLATE = '# modsync: template dropped\n';

/** Lays the chart out in `chart`; returns the templates left out of the copy, with why. */
function prepareChart(modulePath: string, chart: string, release: string): Dropped[] {
  mkdirSync(chart, { recursive: true });
  const dropped: Dropped[] = [];
  for (const name of readdirSync(modulePath)) {
    const src = join(modulePath, name);
    const dst = join(chart, name);
    if (name === 'templates' || name === 'Chart.yaml') {
      // Copied, because dropping a failing template rewrites it.
      copyDereferenced(src, dst, name, dropped, { budget: MAX_WALK_ENTRIES, seen: new Set() });
    } else {
      // Everything else is linked: helm reads it, nothing changes it. A top-level symlinked directory is left
      // out, so a link back into the module cannot send helm's symlink-following walk round in circles.
      try {
        if (lstatSync(src).isSymbolicLink() && statSync(src).isDirectory()) continue;
      } catch {
        continue;
      }
      symlinkSync(src, dst);
    }
  }
  if (!exists(join(chart, 'Chart.yaml'))) {
    writeFileSync(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: ${release}\nversion: 0.2.0\n`);
  }
  if (exists(join(chart, 'templates'))) writeFileSync(join(chart, 'templates', '_modsync_image_stub.tpl'), IMAGE_STUB);
  return dropped;
}

/**
 * Copies a file or folder with symlinks followed, never throwing: a symlink loop, a broken link, an unreadable
 * entry or a file over MAX_TEXT_FILE_BYTES is left out and recorded; a folder reached twice through links is
 * copied once (no cycles); at most `budget` entries are copied.
 */
function copyDereferenced(
  src: string,
  dst: string,
  rel: string,
  dropped: Dropped[],
  state: { budget: number; seen: Set<string> },
): void {
  if (--state.budget < 0) return;
  let st;
  try {
    st = statSync(src);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    dropped.push({
      path: rel,
      cause: code === 'ELOOP' ? 'a symlink loop' : code === 'ENOENT' ? 'a broken symlink' : errorText(err),
      copy: true,
    });
    return;
  }
  if (st.isDirectory()) {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(src);
      names = readdirSync(src);
    } catch (err) {
      dropped.push({ path: rel, cause: errorText(err), copy: true });
      return;
    }
    if (state.seen.has(real)) {
      dropped.push({ path: rel, cause: 'a symlink back into a folder already copied', copy: true });
      return;
    }
    state.seen.add(real);
    mkdirSync(dst, { recursive: true });
    for (const name of names) copyDereferenced(join(src, name), join(dst, name), `${rel}/${name}`, dropped, state);
    return;
  }
  if (!st.isFile()) return;
  if (st.size > MAX_TEXT_FILE_BYTES) {
    dropped.push({
      path: rel,
      cause: `${st.size} bytes, over the ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB limit`,
      copy: true,
    });
    writeFileSync(dst, DROPPED_TEMPLATE);
    return;
  }
  try {
    copyFileSync(src, dst);
  } catch (err) {
    dropped.push({ path: rel, cause: errorText(err), copy: true });
  }
}

/** Splits `helm template` output into objects, each with the template it came from. */
export function parseRendered(stdout: string): RenderedObject[] {
  const out: RenderedObject[] = [];
  // A CRD file of crds/ that starts with `---` comes out as its `# Source:` line, then the object in a chunk of
  // its own: such a chunk belongs to the last source named.
  let path: string | undefined;
  for (const chunk of stdout.split(/^---\s*$/m)) {
    const source = /^# Source: (\S+)/m.exec(chunk);
    if (source) path = source[1]!.slice(source[1]!.indexOf('/') + 1);
    if (path === undefined) continue;
    let docs;
    try {
      docs = parseYamlDocs(chunk);
    } catch (err) {
      if (err instanceof YamlParseError) continue;
      throw err;
    }
    for (const d of docs) {
      if (!isRecord(d.value)) continue;
      if (d.value['kind'] === 'List' && Array.isArray(d.value['items'])) {
        for (const item of d.value['items']) if (isRecord(item)) out.push({ path, object: item });
        continue;
      }
      out.push({ path, object: d.value });
    }
  }
  return out;
}
