#!/usr/bin/env node
// The package's `modsync` command. It runs the bundle `npm run build` makes (scripts/build.ts: what the image runs,
// one file instead of a few hundred modules to load), and the TypeScript sources through Node's type stripping when
// the bundle has not been built.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/main.js', import.meta.url);
const entry = existsSync(bundle) ? bundle : new URL('../src/main.ts', import.meta.url);
const { runCli } = await import(entry.href);
await runCli(process.argv.slice(2));
