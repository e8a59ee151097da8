// Update windows (dkp-contract.md §4, §8, §10.11, §10.20). Times are UTC. modsync's choice, documented in README:
// a window is the half-open interval [from, to); from > to wraps midnight (it opens on a listed day and closes on
// the next one); from = to is empty; day names are the 3-letter Mon…Sun in any case; no days = every day;
// no windows at all = always allowed.

export interface UpdateWindow {
  /** `H:MM` or `HH:MM`, UTC (`^(?:\d|[01]\d|2[0-3]):[0-5]\d$`). Optional in the CRD (only `to` is required): absent = `00:00`. */
  from?: string | undefined;
  /** `H:MM` or `HH:MM`, UTC. */
  to: string;
  /** `Mon`…`Sun`, any case; empty or absent = every day. */
  days?: readonly string[] | undefined;
}

const CLOCK = /^(?:\d|[01]\d|2[0-3]):[0-5]\d$/;
const DAY_INDEX: Readonly<Record<string, number>> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Minutes after midnight for `H:MM`/`HH:MM`; `undefined` when the text does not match the CRD pattern. */
export function parseClock(text: string): number | undefined {
  if (!CLOCK.test(text)) return undefined;
  const [hours, minutes] = text.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

interface CompiledWindow {
  from: number;
  to: number;
  /** Week days (0 = Sunday) on which the window opens. */
  days: ReadonlySet<number>;
}

function compile(window: UpdateWindow): CompiledWindow | undefined {
  const from = parseClock(window.from ?? '00:00');
  const to = parseClock(window.to);
  // An invalid bound, or from = to, gives a window that never opens.
  if (from === undefined || to === undefined || from === to) return undefined;
  const names = window.days ?? [];
  const days =
    names.length === 0
      ? new Set([0, 1, 2, 3, 4, 5, 6])
      : new Set(names.map((d) => DAY_INDEX[d.toLowerCase()]).filter((d): d is number => d !== undefined));
  return { from, to, days };
}

function minuteOfDay(at: Date): number {
  return at.getUTCHours() * 60 + at.getUTCMinutes();
}

function contains(window: CompiledWindow, at: Date): boolean {
  const day = at.getUTCDay();
  const minute = minuteOfDay(at);
  if (window.from < window.to) return window.days.has(day) && minute >= window.from && minute < window.to;
  // Overnight: the part after `from` belongs to today's opening, the part before `to` to yesterday's.
  if (minute >= window.from) return window.days.has(day);
  return minute < window.to && window.days.has((day + 6) % 7);
}

/** Whether `now` falls inside any of the windows; no windows means always. */
export function isInUpdateWindow(windows: readonly UpdateWindow[] | undefined, now: Date): boolean {
  if (windows === undefined || windows.length === 0) return true;
  return windows.some((w) => {
    const compiled = compile(w);
    return compiled !== undefined && contains(compiled, now);
  });
}

/**
 * The earliest instant at or after `now` when an update is allowed: `now` itself inside a window (or with no
 * windows), else the next `from` on an allowed day, later today included (§10.20). `undefined` when no window
 * can ever open (all empty or invalid).
 */
export function nextWindowOpening(windows: readonly UpdateWindow[] | undefined, now: Date): Date | undefined {
  if (isInUpdateWindow(windows, now)) return now;
  const compiled = (windows ?? []).map(compile).filter((w): w is CompiledWindow => w !== undefined);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let best: number | undefined;
  // Today plus seven days covers every weekly opening, including today's own later ones.
  for (let offset = 0; offset <= 7; offset += 1) {
    const dayStart = midnight + offset * DAY_MS;
    const weekDay = new Date(dayStart).getUTCDay();
    for (const window of compiled) {
      if (!window.days.has(weekDay)) continue;
      const opening = dayStart + window.from * MINUTE_MS;
      if (opening > now.getTime() && (best === undefined || opening < best)) best = opening;
    }
  }
  return best === undefined ? undefined : new Date(best);
}
