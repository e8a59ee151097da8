// Builds modsync's image: node scripts/build-image.ts [--tag modsync:dev] [--base node:24-bookworm-slim]
import { parseArgs } from 'node:util';
import { ensureDockerEngine } from '../test/env/docker-engine.ts';
import { buildModsyncImage } from '../test/env/modsync-image.ts';

const { values } = parseArgs({
  options: { tag: { type: 'string' }, base: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  process.stdout.write(
    'Usage: node scripts/build-image.ts [--tag modsync:dev] [--base <image with Node 24 and npm>]\n',
  );
  process.exit(0);
}
await ensureDockerEngine((line) => process.stderr.write(`${line}\n`));
const { tag, sizeBytes } = await buildModsyncImage({
  tag: values.tag,
  baseImage: values.base,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${tag}: ${(sizeBytes / 1e6).toFixed(0)} MB\n`);
