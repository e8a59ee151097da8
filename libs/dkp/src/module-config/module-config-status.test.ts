import { describe, expect, it } from 'vitest';

import { moduleConfigStatus } from './module-config-status.ts';

describe('moduleConfigStatus (§3)', () => {
  it.each([
    {
      why: 'unknown module (the guide)',
      input: { name: 'module-1', moduleExists: false },
      version: '',
      message: 'Ignored: unknown module name',
    },
    { why: 'global is never unknown', input: { name: 'global', moduleExists: false }, version: '', message: '' },
    {
      why: 'deckhouse is never unknown',
      input: { name: 'deckhouse', moduleExists: false, specVersion: 1 },
      version: '1',
      message: '',
    },
    {
      why: 'known module, nothing to say',
      input: { name: 'module-one', moduleExists: true, specVersion: 1, latestVersion: 1 },
      version: '1',
      message: '',
    },
    {
      why: 'spec.version unset: the latest is shown',
      input: { name: 'module-one', moduleExists: true, latestVersion: 2 },
      version: '2',
      message: '',
    },
    {
      why: 'spec.version 0 reads as unset',
      input: { name: 'module-one', moduleExists: true, specVersion: 0, latestVersion: 2 },
      version: '2',
      message: '',
    },
    {
      why: 'validation error clears the version',
      input: {
        name: 'module-one',
        moduleExists: true,
        specVersion: 1,
        latestVersion: 1,
        validationError: 'settings.parameter must be of type string',
      },
      version: '',
      message: 'Error: settings.parameter must be of type string',
    },
    {
      why: 'a version above the latest is invalid',
      input: { name: 'module-one', moduleExists: true, specVersion: 3, latestVersion: 2 },
      version: '3',
      message: 'Error: invalid spec.version, use version 2',
    },
    {
      why: 'a negative version is invalid',
      input: { name: 'module-one', moduleExists: true, specVersion: -1, latestVersion: 2 },
      version: '-1',
      message: 'Error: invalid spec.version, use version 2',
    },
    {
      why: 'an older version: update available',
      input: { name: 'module-one', moduleExists: true, specVersion: 1, latestVersion: 2 },
      version: '1',
      message: 'Update available, latest spec.settings schema version is 2',
    },
    {
      why: 'the latest version exactly',
      input: { name: 'module-one', moduleExists: true, specVersion: 2, latestVersion: 2 },
      version: '2',
      message: '',
    },
    {
      why: 'unknown module wins over a validation error',
      input: { name: 'x', moduleExists: false, validationError: 'bad' },
      version: '',
      message: 'Ignored: unknown module name',
    },
  ])('$why', ({ input, version, message }) => {
    expect(moduleConfigStatus(input)).toEqual({ version, message });
  });
});
