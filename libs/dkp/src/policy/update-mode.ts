import { UPDATE_MODES, type UpdateMode } from './types.ts';

const BY_LOWER: ReadonlyMap<string, UpdateMode> = new Map(UPDATE_MODES.map((m) => [m.toLowerCase(), m]));

/** Reads an update mode in any case (`auto`, `AutoPatch`); `undefined` for anything else. */
export function parseUpdateMode(input: string | undefined): UpdateMode | undefined {
  return input === undefined ? undefined : BY_LOWER.get(input.toLowerCase());
}
