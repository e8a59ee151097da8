// Repositories inside a ModuleSource's repository R (dkp-contract.md §7). `repo` is R with or without its host:
// `registry.example.io/deckhouse/modules`, or the registry settings' `pathPrefix` (`deckhouse/modules`, or empty when
// the modules sit at the registry's root).

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
