import { describe, expect, it } from 'vitest';

import { DKP_ERROR_CODES, InvalidChannelError, InvalidVersionError } from './errors.ts';

describe('errors', () => {
  it.each([
    { error: new InvalidVersionError('x'), name: 'InvalidVersionError', code: DKP_ERROR_CODES.invalidVersion },
    { error: new InvalidChannelError('y'), name: 'InvalidChannelError', code: DKP_ERROR_CODES.invalidChannel },
  ])('$name has a fixed name and code', ({ error, name, code }) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error).toBeInstanceOf(Error);
  });
});
