// Errors of @modsync/dkp. Callers test `code`, never `instanceof` (style.md, "For modsync" 2).

export const DKP_ERROR_CODES = {
  invalidVersion: 'MODSYNC_DKP_INVALID_VERSION',
  invalidChannel: 'MODSYNC_DKP_INVALID_CHANNEL',
} as const;

/** A string that should have been a module version (`1.2.3` or `v1.2.3`) was not. A programming error upstream. */
export class InvalidVersionError extends Error {
  override readonly name = 'InvalidVersionError';
  readonly code = DKP_ERROR_CODES.invalidVersion;
  readonly input: string;

  constructor(input: string) {
    super(`invalid module version ${JSON.stringify(input)}: want X.Y.Z or vX.Y.Z`);
    this.input = input;
  }
}

/** A string that should have been a release channel (`Stable`, `early-access`, …) was not. */
export class InvalidChannelError extends Error {
  override readonly name = 'InvalidChannelError';
  readonly code = DKP_ERROR_CODES.invalidChannel;
  readonly input: string;

  constructor(input: string) {
    super(`invalid release channel ${JSON.stringify(input)}`);
    this.input = input;
  }
}
