import type { SemVer } from 'semver';

import { formatVersion } from '../version.ts';
import { channelTag, type ReleaseChannel } from './channels.ts';

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
