import { describe, expect, it } from 'vitest';

import { formatKubeTime, formatMessageTime } from './format-time.ts';

describe("formatMessageTime: Go's 02 Jan 2006 15:04 MST in UTC", () => {
  it.each([
    { at: '2026-11-27T13:30:00Z', want: '27 Nov 2026 13:30 UTC' },
    { at: '2026-01-02T03:04:59Z', want: '02 Jan 2026 03:04 UTC' },
    { at: '2026-12-31T23:59:00Z', want: '31 Dec 2026 23:59 UTC' },
    { at: '2026-11-27T16:30:00+03:00', want: '27 Nov 2026 13:30 UTC' },
  ])('$at → $want', ({ at, want }) => {
    expect(formatMessageTime(new Date(at))).toBe(want);
  });
});

describe('formatKubeTime: RFC 3339 with whole seconds', () => {
  it.each([
    { at: '2024-12-12T10:49:41.123Z', want: '2024-12-12T10:49:41Z' },
    { at: '2024-12-12T10:49:41Z', want: '2024-12-12T10:49:41Z' },
  ])('$at → $want', ({ at, want }) => {
    expect(formatKubeTime(new Date(at))).toBe(want);
  });
});
