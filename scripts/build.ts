// Builds what the image runs: each entry point bundled (esbuild) into one ES module, `<workspace>/dist/main.js`.
//   node scripts/build.ts            (npm run build)
// Why a bundle and not `tsc` emit: the workspace packages export their .ts sources, so emitted files would still load
// the libraries through Node's type stripping; one file per service also drops the per-module cost of a few hundred
// modules. Measured in docs/operations.md ("Memory").
// Tests and `npm run stack` keep running the .ts sources; `npm run bench` builds first and runs dist/main.js.
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The entry points: a workspace folder and its `src/main.ts`; the output is `<dir>/dist/main.js`. */
const ENTRY_POINTS = [
  { name: 'syncer', dir: 'services/syncer' },
  { name: 'applier', dir: 'services/applier' },
  { name: 'modsync', dir: 'cli' },
] as const;

/** Path (from the repository root) of the built file of an entry point's workspace folder. */
export function builtEntry(dir: string): string {
  return `${dir}/dist/main.js`;
}

/**
 * client-node's KubeConfig imports its whole generated package for two functions (scripts/bundle/client-node-gen.ts):
 * only that import, from that file, is pointed at the two modules it needs.
 */
const clientNodeGenerated: Plugin = {
  name: 'client-node-generated',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: join(REPO_ROOT, 'scripts/bundle/client-node-gen.ts') }
        : undefined,
    );
  },
};

/**
 * string-width 8 (for markdownlint's MD060 only, a rule DMT's settings turn off) builds an Intl.Segmenter and a
 * `\p{RGI_Emoji}` expression when it is loaded: about 30 ms of ICU set-up on each `modsync lint` of a module with
 * docs. The bundle runs the module's body on the first call of stringWidth instead.
 */
const lazyStringWidth: Plugin = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('Intl.Segmenter')) return undefined;
      const imports = source.match(/^import .*;\n/gm) ?? [];
      const body = source.replace(/^import .*;\n/gm, '');
      const exported = 'export default function stringWidth(';
      if (body.match(/^export /gm)?.length !== 1 || !body.includes(exported)) {
        throw new Error(`${args.path}: string-width changed; update the lazy-string-width plugin of scripts/build.ts`);
      }
      const lazy = [
        ...imports,
        'let stringWidthImpl;',
        'export default function stringWidth(...args) {',
        '  stringWidthImpl ??= (() => {',
        body.replace(exported, 'function stringWidth('),
        '    return stringWidth;',
        '  })();',
        '  return stringWidthImpl(...args);',
        '}',
      ].join('\n');
      return { contents: lazy, loader: 'js' };
    });
  },
};

const COMMON: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // CommonJS packages in an ES module bundle still call require() for Node's built-ins, and some name __dirname.
  banner: {
    js: [
      "import { createRequire as __modsyncCreateRequire } from 'node:module';",
      'const require = __modsyncCreateRequire(import.meta.url);',
      'const __filename = import.meta.filename;',
      'const __dirname = import.meta.dirname;',
    ].join('\n'),
  },
  // A native addon (msgpackr's optional accelerator) is loaded from node_modules, as without the bundle.
  external: ['msgpackr-extract'],
  // Modules loaded with import() only when needed (the syncer's dashboard) become chunks of their own.
  splitting: true,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: stack traces keep the functions' names. Source maps are written beside the bundle but
  // not loaded (NODE_OPTIONS=--enable-source-maps maps traces to the .ts sources, at some memory).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // ASCII output: V8 keeps an ASCII script source at one byte a character (any other character doubles all of it).
  charset: 'ascii',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
  plugins: [clientNodeGenerated, lazyStringWidth],
};

/** Bundles every entry point; returns each output's size in bytes. */
export async function buildAll(options: { quiet?: boolean } = {}): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  await Promise.all(
    ENTRY_POINTS.map(async ({ name, dir }) => {
      const outdir = join(REPO_ROOT, dir, 'dist');
      await rm(outdir, { recursive: true, force: true });
      const result = await build({ ...COMMON, entryPoints: [join(REPO_ROOT, dir, 'src/main.ts')], outdir });
      sizes[name] = outputBytes(result.metafile!);
    }),
  );
  if (!options.quiet) {
    for (const { name, dir } of ENTRY_POINTS)
      process.stderr.write(`[build] ${builtEntry(dir)} (${name}): ${(sizes[name]! / 2 ** 20).toFixed(1)} MB\n`);
  }
  return sizes;
}

function outputBytes(metafile: Metafile): number {
  return Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
}

if (import.meta.main) await buildAll();
