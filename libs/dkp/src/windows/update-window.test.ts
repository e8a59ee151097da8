import { describe, expect, it } from 'vitest';

import { isInUpdateWindow, nextWindowOpening, parseClock, type UpdateWindow } from './update-window.ts';

// 2026-11-23 is a Monday; the 25th a Wednesday; the 29th a Sunday.
const at = (text: string): Date => new Date(text);

const guide: UpdateWindow[] = [{ days: ['Mon', 'Wed'], from: '13:30', to: '14:00' }];
const daily: UpdateWindow[] = [{ from: '8:00', to: '10:00' }];
const overnight: UpdateWindow[] = [{ days: ['Fri'], from: '22:00', to: '02:00' }];
const overnightDaily: UpdateWindow[] = [{ from: '23:00', to: '01:00' }];

describe('parseClock: CRD pattern ^(?:\\d|[01]\\d|2[0-3]):[0-5]\\d$', () => {
  it.each([
    { text: '8:00', want: 480 },
    { text: '08:00', want: 480 },
    { text: '0:00', want: 0 },
    { text: '23:59', want: 1439 },
    { text: '24:00', want: undefined },
    { text: '12:60', want: undefined },
    { text: '8', want: undefined },
    { text: '08:00:00', want: undefined },
  ])('$text → $want', ({ text, want }) => {
    expect(parseClock(text)).toBe(want);
  });
});

describe('isInUpdateWindow: [from, to), UTC (§10.11)', () => {
  it.each([
    // no windows = always
    { name: 'no windows', windows: [], now: '2026-11-23T03:00:00Z', want: true },
    { name: 'undefined windows', windows: undefined, now: '2026-11-23T03:00:00Z', want: true },
    // the guide's Mon/Wed 13:30–14:00
    { name: 'Mon one minute before from', windows: guide, now: '2026-11-23T13:29:59.999Z', want: false },
    { name: 'Mon exactly at from (inclusive)', windows: guide, now: '2026-11-23T13:30:00Z', want: true },
    { name: 'Mon inside', windows: guide, now: '2026-11-23T13:45:00Z', want: true },
    { name: 'Mon last instant before to', windows: guide, now: '2026-11-23T13:59:59.999Z', want: true },
    { name: 'Mon exactly at to (exclusive)', windows: guide, now: '2026-11-23T14:00:00Z', want: false },
    { name: 'Tue same time: not a listed day', windows: guide, now: '2026-11-24T13:45:00Z', want: false },
    { name: 'Wed inside', windows: guide, now: '2026-11-25T13:45:00Z', want: true },
    // days are case-insensitive
    {
      name: 'days in lower case',
      windows: [{ days: ['mon'], from: '13:30', to: '14:00' }],
      now: '2026-11-23T13:45:00Z',
      want: true,
    },
    {
      name: 'days in upper case',
      windows: [{ days: ['MON'], from: '13:30', to: '14:00' }],
      now: '2026-11-23T13:45:00Z',
      want: true,
    },
    {
      name: 'no from (only to is required): opens at 00:00',
      windows: [{ to: '02:00' }],
      now: '2026-11-23T00:00:00Z',
      want: true,
    },
    { name: 'no from: closed from to on', windows: [{ to: '02:00' }], now: '2026-11-23T02:00:00Z', want: false },
    {
      name: 'unknown day names match nothing',
      windows: [{ days: ['Monday'], from: '13:30', to: '14:00' }],
      now: '2026-11-23T13:45:00Z',
      want: false,
    },
    // no days = every day
    { name: 'no days: Sunday inside', windows: daily, now: '2026-11-29T09:00:00Z', want: true },
    { name: 'no days: H:MM from inclusive', windows: daily, now: '2026-11-29T08:00:00Z', want: true },
    { name: 'no days: before from', windows: daily, now: '2026-11-29T07:59:00Z', want: false },
    // overnight wraps midnight; the days name the opening day
    { name: 'overnight: Fri before from', windows: overnight, now: '2026-11-27T21:59:00Z', want: false },
    { name: 'overnight: Fri at from', windows: overnight, now: '2026-11-27T22:00:00Z', want: true },
    { name: 'overnight: Fri 23:59', windows: overnight, now: '2026-11-27T23:59:00Z', want: true },
    { name: 'overnight: Sat 00:00 (after midnight)', windows: overnight, now: '2026-11-28T00:00:00Z', want: true },
    { name: 'overnight: Sat 01:59', windows: overnight, now: '2026-11-28T01:59:00Z', want: true },
    { name: 'overnight: Sat at to (exclusive)', windows: overnight, now: '2026-11-28T02:00:00Z', want: false },
    {
      name: 'overnight: Fri 01:00 belongs to Thursday night',
      windows: overnight,
      now: '2026-11-27T01:00:00Z',
      want: false,
    },
    { name: 'overnight: Sat 22:30 is not a Friday', windows: overnight, now: '2026-11-28T22:30:00Z', want: false },
    { name: 'overnight daily: across year end', windows: overnightDaily, now: '2027-01-01T00:30:00Z', want: true },
    // degenerate windows never open
    { name: 'from = to is empty', windows: [{ from: '10:00', to: '10:00' }], now: '2026-11-23T10:00:00Z', want: false },
    {
      name: 'invalid bound never opens',
      windows: [{ from: '25:00', to: '10:00' }],
      now: '2026-11-23T05:00:00Z',
      want: false,
    },
    // any window suffices
    { name: 'second window matches', windows: [...guide, ...daily], now: '2026-11-24T09:00:00Z', want: true },
    // UTC only: a non-UTC offset in the input is the same instant
    { name: 'offset input is converted to UTC', windows: guide, now: '2026-11-23T16:45:00+03:00', want: true },
    {
      name: 'a DST switch day changes nothing: 09:30 CEST is 07:30 UTC',
      windows: daily,
      now: '2026-03-29T09:30:00+02:00',
      want: false,
    },
    { name: 'a DST switch day: 10:30 CEST is 08:30 UTC', windows: daily, now: '2026-03-29T10:30:00+02:00', want: true },
  ])('$name', ({ windows, now, want }) => {
    expect(isInUpdateWindow(windows, at(now))).toBe(want);
  });
});

describe('nextWindowOpening: the true next opening, later today included (§10.20)', () => {
  it.each([
    { name: 'no windows: now', windows: [], now: '2026-11-23T03:00:00Z', want: '2026-11-23T03:00:00.000Z' },
    { name: 'inside a window: now', windows: guide, now: '2026-11-23T13:40:00Z', want: '2026-11-23T13:40:00.000Z' },
    { name: 'Mon morning: later today', windows: guide, now: '2026-11-23T09:00:00Z', want: '2026-11-23T13:30:00.000Z' },
    {
      name: 'Mon one second before from: later today',
      windows: guide,
      now: '2026-11-23T13:29:59Z',
      want: '2026-11-23T13:30:00.000Z',
    },
    { name: 'Mon at to: Wednesday', windows: guide, now: '2026-11-23T14:00:00Z', want: '2026-11-25T13:30:00.000Z' },
    { name: 'Tue: Wednesday', windows: guide, now: '2026-11-24T20:00:00Z', want: '2026-11-25T13:30:00.000Z' },
    { name: 'Wed after: next Monday', windows: guide, now: '2026-11-25T15:00:00Z', want: '2026-11-30T13:30:00.000Z' },
    { name: 'Sun late: Monday', windows: guide, now: '2026-11-29T23:59:00Z', want: '2026-11-30T13:30:00.000Z' },
    { name: 'daily after to: tomorrow', windows: daily, now: '2026-11-23T10:00:00Z', want: '2026-11-24T08:00:00.000Z' },
    { name: 'month end rolls over', windows: daily, now: '2026-11-30T12:00:00Z', want: '2026-12-01T08:00:00.000Z' },
    {
      name: 'overnight: Fri afternoon → Fri 22:00',
      windows: overnight,
      now: '2026-11-27T12:00:00Z',
      want: '2026-11-27T22:00:00.000Z',
    },
    {
      name: 'overnight: Sat at to → next Friday',
      windows: overnight,
      now: '2026-11-28T02:00:00Z',
      want: '2026-12-04T22:00:00.000Z',
    },
    {
      name: 'same weekday next week',
      windows: [{ days: ['Mon'], from: '09:00', to: '10:00' }],
      now: '2026-11-23T10:30:00Z',
      want: '2026-11-30T09:00:00.000Z',
    },
    {
      name: 'earliest of several windows',
      windows: [...guide, { days: ['Tue'], from: '06:00', to: '07:00' }],
      now: '2026-11-23T15:00:00Z',
      want: '2026-11-24T06:00:00.000Z',
    },
  ])('$name', ({ windows, now, want }) => {
    expect(nextWindowOpening(windows, at(now))?.toISOString()).toBe(want);
  });

  it.each([
    { name: 'only an empty window', windows: [{ from: '10:00', to: '10:00' }] },
    { name: 'only unknown days', windows: [{ days: ['Funday'], from: '10:00', to: '11:00' }] },
  ])('never opens: $name', ({ windows }) => {
    expect(nextWindowOpening(windows, at('2026-11-23T12:00:00Z'))).toBeUndefined();
  });
});
