import { describe, expect, it } from 'vitest';

import { isApplyNow, isApproved, isForced, parseGoBool } from './annotations.ts';

describe('parseGoBool: strconv.ParseBool', () => {
  it.each([
    ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((value) => ({ value, want: true })),
    ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((value) => ({ value, want: false })),
    ...['yes', 'tRUE', 'on', ' true', '', undefined].map((value) => ({ value, want: undefined })),
  ])('$value → $want', ({ value, want }) => {
    expect(parseGoBool(value)).toBe(want);
  });
});

type Annotations = Record<string, string> | undefined;

describe('isApproved: either annotation, ParseBool (§10.5)', () => {
  it.each<{ why: string; annotations: Annotations; want: boolean }>([
    {
      why: 'modules.deckhouse.io/approved: "true"',
      annotations: { 'modules.deckhouse.io/approved': 'true' },
      want: true,
    },
    {
      why: 'legacy release.deckhouse.io/approved: "true"',
      annotations: { 'release.deckhouse.io/approved': 'true' },
      want: true,
    },
    { why: 'ParseBool accepts "1"', annotations: { 'modules.deckhouse.io/approved': '1' }, want: true },
    { why: 'ParseBool accepts "TRUE"', annotations: { 'modules.deckhouse.io/approved': 'TRUE' }, want: true },
    { why: 'ParseBool accepts "t"', annotations: { 'release.deckhouse.io/approved': 't' }, want: true },
    { why: '"false"', annotations: { 'modules.deckhouse.io/approved': 'false' }, want: false },
    {
      why: '"yes" is a parse error → not approved',
      annotations: { 'modules.deckhouse.io/approved': 'yes' },
      want: false,
    },
    {
      why: 'either one true approves',
      annotations: { 'modules.deckhouse.io/approved': 'false', 'release.deckhouse.io/approved': 'true' },
      want: true,
    },
    { why: 'no annotations', annotations: undefined, want: false },
    { why: 'an unrelated annotation', annotations: { 'modules.deckhouse.io/apply-now': 'true' }, want: false },
  ])('$why → $want', ({ annotations, want }) => {
    expect(isApproved(annotations)).toBe(want);
  });
});

describe('isApplyNow / isForced: exactly "true", either prefix', () => {
  it.each<{ annotations: Annotations; applyNow: boolean; forced: boolean }>([
    { annotations: { 'modules.deckhouse.io/apply-now': 'true' }, applyNow: true, forced: false },
    { annotations: { 'release.deckhouse.io/apply-now': 'true' }, applyNow: true, forced: false },
    { annotations: { 'modules.deckhouse.io/apply-now': 'True' }, applyNow: false, forced: false },
    { annotations: { 'modules.deckhouse.io/force': 'true' }, applyNow: false, forced: true },
    { annotations: { 'release.deckhouse.io/force': 'true' }, applyNow: false, forced: true },
    { annotations: { 'modules.deckhouse.io/force': '1' }, applyNow: false, forced: false },
    { annotations: {}, applyNow: false, forced: false },
  ])('$annotations', ({ annotations, applyNow, forced }) => {
    expect(isApplyNow(annotations)).toBe(applyNow);
    expect(isForced(annotations)).toBe(forced);
  });
});
