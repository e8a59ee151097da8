import { describe, expect, it } from 'vitest';

import { MODULE_NAMES_CAP, moduleValuesKey, selectModuleNames } from './module-names.ts';

describe('selectModuleNames (§7, §10.17)', () => {
  it.each([
    {
      why: 'plain names are kept, sorted',
      tags: ['module-two', 'module-one'],
      names: ['module-one', 'module-two'],
      skipped: [],
    },
    {
      why: '`modules` is reserved',
      tags: ['modules', 'a'],
      names: ['a'],
      skipped: [{ name: 'modules', reason: 'Reserved' }],
    },
    { why: '64 chars is allowed', tags: ['a'.repeat(64)], names: ['a'.repeat(64)], skipped: [] },
    {
      why: '65 chars is too long',
      tags: ['a'.repeat(65)],
      names: [],
      skipped: [{ name: 'a'.repeat(65), reason: 'TooLong' }],
    },
    {
      why: 'upper case is not DNS-1123',
      tags: ['Module'],
      names: [],
      skipped: [{ name: 'Module', reason: 'NotDNS1123Subdomain' }],
    },
    {
      why: 'leading dash is not DNS-1123',
      tags: ['-m'],
      names: [],
      skipped: [{ name: '-m', reason: 'NotDNS1123Subdomain' }],
    },
    {
      why: 'trailing dash is not DNS-1123',
      tags: ['m-'],
      names: [],
      skipped: [{ name: 'm-', reason: 'NotDNS1123Subdomain' }],
    },
    {
      why: 'underscore is not DNS-1123',
      tags: ['my_mod'],
      names: [],
      skipped: [{ name: 'my_mod', reason: 'NotDNS1123Subdomain' }],
    },
    { why: 'dots make a subdomain', tags: ['a.b'], names: ['a.b'], skipped: [] },
    { why: 'digits first are fine', tags: ['1m'], names: ['1m'], skipped: [] },
    { why: 'duplicates counted once', tags: ['a', 'a'], names: ['a'], skipped: [{ name: 'a', reason: 'Duplicate' }] },
    {
      why: 'byte order as Go sort.Strings',
      tags: ['b', 'a-b', 'a', 'a.b'],
      names: ['a', 'a-b', 'a.b', 'b'],
      skipped: [],
    },
  ])('$why', ({ tags, names, skipped }) => {
    expect(selectModuleNames(tags)).toEqual({ names, skipped });
  });

  it.each([
    { count: MODULE_NAMES_CAP - 1, kept: MODULE_NAMES_CAP - 1, over: 0 },
    { count: MODULE_NAMES_CAP, kept: MODULE_NAMES_CAP, over: 0 },
    { count: MODULE_NAMES_CAP + 1, kept: MODULE_NAMES_CAP, over: 1 },
  ])('$count valid names → $kept kept, $over over the cap', ({ count, kept, over }) => {
    const tags = Array.from({ length: count }, (_, i) => `m${String(count - i).padStart(5, '0')}`);
    const result = selectModuleNames(tags);
    expect(result.names).toHaveLength(kept);
    expect(result.skipped.filter((s) => s.reason === 'OverCap')).toHaveLength(over);
  });

  it('sorts before capping, and invalid tags take no slot', () => {
    const tags = [
      'INVALID',
      ...Array.from({ length: MODULE_NAMES_CAP + 1 }, (_, i) => `m${String(MODULE_NAMES_CAP - i).padStart(5, '0')}`),
    ];
    const result = selectModuleNames(tags);
    expect(result.names[0]).toBe('m00000');
    expect(result.names.at(-1)).toBe(`m${String(MODULE_NAMES_CAP - 1).padStart(5, '0')}`);
    expect(result.skipped).toEqual([
      { name: 'INVALID', reason: 'NotDNS1123Subdomain' },
      { name: `m${String(MODULE_NAMES_CAP).padStart(5, '0')}`, reason: 'OverCap' },
    ]);
  });
});

describe('moduleValuesKey', () => {
  it.each([
    ['module-one', 'moduleOne'],
    ['cert-manager', 'certManager'],
    ['e2e-openapi', 'e2eOpenapi'],
    ['node_local-dns', 'nodeLocalDns'],
    ['prometheus', 'prometheus'],
    ['a--b', 'aB'],
    ['x-2fa', 'x2fa'],
  ])('%s → %s', (name, key) => expect(moduleValuesKey(name)).toBe(key));
});
