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
  /** The UTC instant at which the local wall clock shows y-m-d 00:00 (DST-safe by iterating the offset). */
  const startOfLocalDay = (y: number, m: number, d: number): number => {
    let guess = Date.UTC(y, m - 1, d);
    for (let i = 0; i < 3; i++) {
      const p = local(guess);
      const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
      const wanted = Date.UTC(y, m - 1, d);
      if (shown === wanted) break;
      guess += wanted - shown;
    }
    return guess;
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
