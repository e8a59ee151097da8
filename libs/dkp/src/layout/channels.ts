import { InvalidChannelError } from '../errors.ts';

/** Release channels in the order of increasing stability (dkp-contract.md §4). */
export const RELEASE_CHANNELS = ['Alpha', 'Beta', 'EarlyAccess', 'Stable', 'RockSolid', 'Lts'] as const;

export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];

export const DEFAULT_RELEASE_CHANNEL: ReleaseChannel = 'Stable';

const TAGS: Readonly<Record<ReleaseChannel, string>> = {
  Alpha: 'alpha',
  Beta: 'beta',
  EarlyAccess: 'early-access',
  Stable: 'stable',
  RockSolid: 'rock-solid',
  Lts: 'lts',
};

const BY_FOLDED_NAME: ReadonlyMap<string, ReleaseChannel> = new Map(
  RELEASE_CHANNELS.map((channel) => [fold(channel), channel]),
);

function fold(text: string): string {
  return text.toLowerCase().replace(/[-_]/g, '');
}

/** The registry tag of a channel's release image: kebab-case (`EarlyAccess` → `early-access`), §7. */
export function channelTag(channel: ReleaseChannel): string {
  return TAGS[channel];
}

/**
 * Reads a channel written as a CRD enum (`EarlyAccess`), a tag (`early-access`) or in any case (`LTS`, `stable`).
 * `undefined` for anything else.
 */
export function parseChannel(input: string): ReleaseChannel | undefined {
  return BY_FOLDED_NAME.get(fold(input));
}

/** Like {@link parseChannel} but throws {@link InvalidChannelError}. */
export function mustParseChannel(input: string): ReleaseChannel {
  const channel = parseChannel(input);
  if (channel === undefined) throw new InvalidChannelError(input);
  return channel;
}
