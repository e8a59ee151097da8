// Repositories inside a ModuleSource's repository R (dkp-contract.md §7). `repo` is R with or without its host:
// `registry.example.io/deckhouse/modules`, or the registry settings' `pathPrefix` (`deckhouse/modules`, or empty when
// the modules sit at the registry's root).

import { normalizeVersion } from '../version.ts';
import { RELEASE_CHANNELS, channelTag, type ReleaseChannel } from './channels.ts';

function join(...segments: string[]): string {
  return segments
    .map((s) => s.replace(/^\/+|\/+$/g, ''))
    .filter((s) => s !== '')
    .join('/');
}

/** `R/<module>`: its tag list holds the bundle versions (`vX.Y.Z`); the module bundles live here. */
export function moduleRepository(repo: string, module: string): string {
  return join(repo, module);
}

/** `R/<module>/release`: the release (metadata) images, tagged by channel (`stable`) and by version (`vX.Y.Z`). */
export function releaseRepository(repo: string, module: string): string {
  return join(repo, module, 'release');
}

/** Where a pushed image lies in a source's layout: the catalogue, a module's bundles, or its release images. */
export type SourceLocation =
  | { kind: 'catalogue' }
  | { kind: 'bundle'; module: string }
  | { kind: 'release'; module: string; tag: ReleaseTag };

/** A release image's tag: a channel's (moves the channel), a version's, or anything else. */
export type ReleaseTag =
  | { kind: 'channel'; channel: ReleaseChannel }
  | { kind: 'version'; version: string }
  | { kind: 'other' };

const MODULE_SEGMENT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** What a tag of `R/<module>/release` is: a channel tag (`early-access`), a version tag (`v1.2.3`) or neither. */
export function classifyReleaseTag(tag: string): ReleaseTag {
  const channel = RELEASE_CHANNELS.find((c) => channelTag(c) === tag);
  if (channel) return { kind: 'channel', channel };
  const version = tag.startsWith('v') ? normalizeVersion(tag) : undefined;
  return version ? { kind: 'version', version } : { kind: 'other' };
}

/**
 * The inverse of the functions above: where `repository` (a path inside the registry, no host) lies in a source whose
 * repo has the path `pathPrefix` (`''` for a bare host). `R` itself is the catalogue (its tags are module names),
 * `R/<module>` holds bundles, `R/<module>/release` release images (dkp-contract.md §7); anything else is outside.
 */
export function locateInSource(pathPrefix: string, repository: string, tag: string): SourceLocation | undefined {
  const prefix = pathPrefix.replace(/^\/+|\/+$/g, '');
  const path = repository.replace(/^\/+|\/+$/g, '');
  if (path === prefix) return { kind: 'catalogue' };
  if (prefix !== '' && !path.startsWith(`${prefix}/`)) return undefined;
  const [module, release, ...rest] = (prefix === '' ? path : path.slice(prefix.length + 1)).split('/');
  if (module === undefined || !MODULE_SEGMENT.test(module) || rest.length > 0) return undefined;
  if (release === undefined) return { kind: 'bundle', module };
  return release === 'release' ? { kind: 'release', module, tag: classifyReleaseTag(tag) } : undefined;
}
