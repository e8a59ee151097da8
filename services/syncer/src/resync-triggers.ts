import type { ModuleConfig, ModuleSource, ModuleUpdatePolicy } from '@modsync/k8s';

function offering(sources: readonly ModuleSource[], modules: ReadonlySet<string>): string[] {
  return sources
    .filter((s) => (s.status?.modules ?? []).some((m) => modules.has(m.name)))
    .map((s) => s.metadata.name)
    .sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Sources to sync now after a ModuleConfig changed (DKP runs a source at once when a module's source, update policy or
 * enablement changes, dkp-contract.md §9): those offering the module; for the `deckhouse` ModuleConfig, a change of the
 * embedded policy's channel or update settings touches every source. Pure.
 */
export function sourcesAfterConfigChange(
  previous: ModuleConfig | undefined,
  next: ModuleConfig | undefined,
  sources: readonly ModuleSource[],
): string[] {
  const name = next?.metadata.name ?? previous?.metadata.name;
  if (!name) return [];
  if (name === 'deckhouse') {
    const settings = (c: ModuleConfig | undefined) =>
      c?.spec?.settings as { releaseChannel?: unknown; update?: unknown } | undefined;
    const changed =
      !same(settings(previous)?.releaseChannel, settings(next)?.releaseChannel) ||
      !same(settings(previous)?.update, settings(next)?.update);
    return changed ? sources.map((s) => s.metadata.name).sort() : [];
  }
  const relevant = (c: ModuleConfig | undefined) => [
    c?.spec?.enabled ?? null,
    c?.spec?.source ?? '',
    c?.spec?.updatePolicy ?? '',
  ];
  return same(relevant(previous), relevant(next)) ? [] : offering(sources, new Set([name]));
}

/** Sources to sync now after a ModuleUpdatePolicy's channel changed: those offering a module whose config names it. */
export function sourcesAfterPolicyChange(
  previous: ModuleUpdatePolicy | undefined,
  next: ModuleUpdatePolicy | undefined,
  configs: readonly ModuleConfig[],
  sources: readonly ModuleSource[],
): string[] {
  const name = next?.metadata.name ?? previous?.metadata.name;
  if (!name || same(previous?.spec?.releaseChannel, next?.spec?.releaseChannel)) return [];
  return offering(sources, new Set(configs.filter((c) => c.spec?.updatePolicy === name).map((c) => c.metadata.name)));
}
