import type { SemVer } from 'semver';

import { formatVersion, normalizeVersion } from '../version.ts';
import { RELEASE_CHANNELS, channelTag, type ReleaseChannel } from './channels.ts';

// Image references inside a ModuleSource's repository R (dkp-contract.md §7). `repo` is `spec.registry.repo`: a host and
// path with no scheme, e.g. `registry.example.io/deckhouse/modules`.

function trimRepo(repo: string): string {
  return repo.replace(/\/+$/, '');
}

/** `R/<module>`: its tag list holds the bundle versions; the bundle images live here. */
export function moduleRepository(repo: string, module: string): string {
  return `${trimRepo(repo)}/${module}`;
}

/** `R/<module>/release`: the repository of release (metadata) images. */
export function releaseRepository(repo: string, module: string): string {
  return `${moduleRepository(repo, module)}/release`;
}

/** `R/<module>/release:<channel-tag>`, e.g. `…/module-1/release:early-access`. */
export function channelReleaseReference(repo: string, module: string, channel: ReleaseChannel): string {
  return `${releaseRepository(repo, module)}:${channelTag(channel)}`;
}

/** `R/<module>/release:vX.Y.Z`: one version's release image, read for step-by-step releases. */
export function versionReleaseReference(repo: string, module: string, version: string | SemVer): string {
  return `${releaseRepository(repo, module)}:${formatVersion(version)}`;
}

/** `R/<module>:vX.Y.Z`: the module bundle, downloaded at deploy time. */
export function bundleReference(repo: string, module: string, version: string | SemVer): string {
  return `${moduleRepository(repo, module)}:${formatVersion(version)}`;
}

/** Where a pushed image lies in a source's layout: the catalogue, a module's bundles, or its release images. */
export type SourceLocation =
  | { kind: 'catalogue' }
  | { kind: 'bundle'; module: string }
  | { kind: 'release'; module: string; tag: ReleaseTag };

/** A release image's tag: a channel's (moves the channel), a version's, or anything else. */
export type ReleaseTag = { kind: 'channel'; channel: ReleaseChannel } | { kind: 'version'; version: string } | { kind: 'other' };

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
