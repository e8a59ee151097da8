/** Which ModuleSource a module is served from (§2 `properties.source`, §9 Conflict). */
export type SourceSelection =
  | {
      kind: 'Selected';
      source: string;
      /** `ModuleConfig`: `spec.source`; `Current`: kept from `properties.source`; `OnlyAvailable`: auto-selected. */
      by: 'ModuleConfig' | 'Current' | 'OnlyAvailable';
    }
  /** Enabled, no `spec.source`, no current source and more than one available: phase Conflict. */
  | { kind: 'Conflict'; sources: string[] }
  /** No source: none available, or a disabled module not pinned to one. */
  | { kind: 'None' };

export interface SelectSourceInput {
  /** Enabled by its ModuleConfig. */
  enabled: boolean;
  /** `ModuleConfig.spec.source`. */
  configSource?: string | undefined;
  /** `Module.properties.source` as stored. */
  currentSource?: string | undefined;
  /** `Module.properties.availableSources`. */
  availableSources: readonly string[];
}

/**
 * The conflict rule (§9): `spec.source` wins; else the current source stays while it is still available; else an
 * enabled module with exactly one available source takes it, and with several is in Conflict. A disabled module is
 * never auto-selected nor in Conflict (the guide shows such modules `Available` with an empty SOURCE).
 */
export function selectSource(input: SelectSourceInput): SourceSelection {
  const available = [...new Set(input.availableSources)].sort();
  if (input.configSource !== undefined && input.configSource !== '') {
    return { kind: 'Selected', source: input.configSource, by: 'ModuleConfig' };
  }
  const current = input.currentSource ?? '';
  if (current !== '' && available.includes(current)) return { kind: 'Selected', source: current, by: 'Current' };
  if (!input.enabled) return { kind: 'None' };
  const [only] = available;
  if (available.length === 1 && only !== undefined) return { kind: 'Selected', source: only, by: 'OnlyAvailable' };
  if (available.length > 1) return { kind: 'Conflict', sources: available };
  return { kind: 'None' };
}
