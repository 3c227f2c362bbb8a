// Calendar periods for budgets in a configured time zone: ids like 2026-11-26 (day), 2026-W48 (ISO week from
// Monday) and 2026-11 (month), and when each ends, so counters expire on their own.

export type Period = 'day' | 'week' | 'month';

export interface PeriodWindow {
  id: string;
  /** Unix ms of the period's end (exclusive). */
  endsAt: number;
  /** Unix ms of the period's start. */
  startsAt: number;
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function createPeriodClock(timeZone: string): (period: Period, now: number) => PeriodWindow {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const local = (ms: number): LocalParts => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return {
      year: parts.year!,
      month: parts.month!,
      day: parts.day!,
      hour: parts.hour!,
      minute: parts.minute!,
      second: parts.second!,
    };
  };
  const dateOf = (ms: number): number => {
    const p = local(ms);
    return Date.UTC(p.year, p.month - 1, p.day);
  };
  /**
   * The first UTC instant whose local date is y-m-d: usually the instant the wall clock shows 00:00 (found by
   * iterating the offset), but where a DST change skips midnight (Africa/Cairo, Asia/Beirut) the day starts at
   * the change, found by bisection between the last instant of the day before and an hour or two later.
   */
  const startOfLocalDay = (y: number, m: number, d: number): number => {
    const wanted = Date.UTC(y, m - 1, d);
    let guess = wanted;
    for (let i = 0; i < 3; i++) {
      const p = local(guess);
      const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
      if (shown === wanted) return guess;
      guess += wanted - shown;
    }
    // No instant shows 00:00. `lo` is still the day before, `hi` already the day.
    let lo = guess - 3 * 3_600_000;
    let hi = guess + 3 * 3_600_000;
    while (dateOf(lo) >= wanted) lo -= 3_600_000;
    while (dateOf(hi) < wanted) hi += 3_600_000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (dateOf(mid) >= wanted) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const pad = (n: number) => String(n).padStart(2, '0');
  // Intl formatting costs microseconds; a window stays valid until it ends, so each is computed once.
  const cached = new Map<Period, PeriodWindow>();
  return (period, now) => {
    const hit = cached.get(period);
    if (hit !== undefined && now >= hit.startsAt && now < hit.endsAt) return hit;
    const window = compute(period, now);
    cached.set(period, window);
    return window;
  };

  function compute(period: Period, now: number): PeriodWindow {
    const p = local(now);
    if (period === 'day') {
      const start = startOfLocalDay(p.year, p.month, p.day);
      const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
      return {
        id: `${p.year}-${pad(p.month)}-${pad(p.day)}`,
        startsAt: start,
        endsAt: startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
      };
    }
    if (period === 'month') {
      const next = new Date(Date.UTC(p.year, p.month, 1));
      return {
        id: `${p.year}-${pad(p.month)}`,
        startsAt: startOfLocalDay(p.year, p.month, 1),
        endsAt: startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, 1),
      };
    }
    // ISO week: Monday start; the id names the week's Monday so ids sort and never straddle years.
    const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
    const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - weekday));
    const nextMonday = new Date(Date.UTC(p.year, p.month - 1, p.day - weekday + 7));
    return {
      id: `W${monday.getUTCFullYear()}-${pad(monday.getUTCMonth() + 1)}-${pad(monday.getUTCDate())}`,
      startsAt: startOfLocalDay(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate()),
      endsAt: startOfLocalDay(
        nextMonday.getUTCFullYear(),
        nextMonday.getUTCMonth() + 1,
        nextMonday.getUTCDate(),
      ),
    };
  }
}
