import { z } from 'zod';

import { DEFAULT_RELEASE_CHANNEL, parseChannel } from '../layout/channels.ts';
import type { UpdateWindow } from '../windows/update-window.ts';
import type { UpdateMode, UpdatePolicySpec } from './types.ts';
import { parseUpdateMode } from './update-mode.ts';

/** The embedded policy's mode when the `deckhouse` ModuleConfig sets none: the newest DKP's default (§8, §10.7). */
const EMBEDDED_DEFAULT_MODE: UpdateMode = 'AutoPatch';

const windowSchema = z.object({
  from: z.string().optional(),
  to: z.string(),
  days: z.array(z.string()).optional(),
});

const settingsSchema = z.object({
  releaseChannel: z.string().optional().catch(undefined),
  update: z
    .object({
      mode: z.string().optional().catch(undefined),
      windows: z.array(windowSchema).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
});

/**
 * The embedded update policy (name `""`, label `deckhouse`) from the `deckhouse` ModuleConfig's `spec.settings`
 * (§8): `releaseChannel` (default `Stable`), `update.mode` (default `AutoPatch`), `update.windows`. Settings are
 * untyped, so each field is read on its own; a malformed field reads as its default rather than failing the rest.
 */
export function embeddedPolicy(settings: unknown): UpdatePolicySpec {
  const parsed = settingsSchema.safeParse(settings ?? {});
  const data = parsed.success ? parsed.data : {};
  const windows: UpdateWindow[] = (data.update?.windows ?? []).map((w) => ({
    from: w.from,
    to: w.to,
    ...(w.days === undefined ? {} : { days: w.days }),
  }));
  return {
    releaseChannel: parseChannel(data.releaseChannel ?? '') ?? DEFAULT_RELEASE_CHANNEL,
    update: {
      mode: parseUpdateMode(data.update?.mode) ?? EMBEDDED_DEFAULT_MODE,
      windows,
    },
  };
}
