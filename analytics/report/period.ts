// Report windows: the current calendar day, week (from Monday) or month in the budgets' time zone, the same
// periods the limits stage resets budgets on, so "budget burn" compares like with like.
export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

export interface ReportWindow {
  period: Period;
  /** Inclusive start and exclusive end of what is reported. */
  from: Date;
  to: Date;
  /** The whole calendar period; equal to from/to bounds when the window was given explicitly. */
  periodStart: Date;
  periodEnd: Date;
  /** Share of the calendar period already elapsed at `to`, 0..1; drives the end-of-period projection. */
  elapsed: number;
  /** False when --from/--to chose the window: budgets do not apply to an arbitrary range. */
  calendar: boolean;
  timeZone: string;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The instant at which the clocks of `timeZone` show the given local midnight. */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const target = Date.UTC(year, month - 1, day);
  let guess = target;
  // Two rounds settle the offset, also on days where it changes (DST): the second uses the offset at the guess.
  for (let i = 0; i < 2; i += 1) {
    const seen = wallClock(new Date(guess), timeZone);
    const seenUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
    guess += target - seenUtc;
  }
  return new Date(guess);
}

export function calendarPeriod(period: Period, now: Date, timeZone: string): { start: Date; end: Date } {
  const local = wallClock(now, timeZone);
  // Date.UTC normalises day/month overflow (day 0, day 32, month 13), so calendar arithmetic stays in UTC.
  const shift = (days: number, months = 0) => {
    const d = new Date(Date.UTC(local.year, local.month - 1 + months, local.day + days));
    return zonedMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), timeZone);
  };
  if (period === 'day') return { start: shift(0), end: shift(1) };
  if (period === 'week') {
    const weekday = (new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() + 6) % 7;
    return { start: shift(-weekday), end: shift(7 - weekday) };
  }
  return {
    start: zonedMidnight(local.year, local.month, 1, timeZone),
    end: shift(1 - local.day, 1),
  };
}

export function reportWindow(options: {
  period: Period;
  now: Date;
  timeZone: string;
  from?: Date;
  to?: Date;
}): ReportWindow {
  const { period, now, timeZone } = options;
  if (options.from !== undefined || options.to !== undefined) {
    const to = options.to ?? now;
    const from = options.from ?? calendarPeriod(period, to, timeZone).start;
    if (from.getTime() >= to.getTime()) throw new Error('--from must be before --to');
    return { period, from, to, periodStart: from, periodEnd: to, elapsed: 1, calendar: false, timeZone };
  }
  const { start, end } = calendarPeriod(period, now, timeZone);
  const elapsed = Math.min(
    1,
    Math.max(0, (now.getTime() - start.getTime()) / (end.getTime() - start.getTime())),
  );
  return {
    period,
    from: start,
    to: now,
    periodStart: start,
    periodEnd: end,
    elapsed,
    calendar: true,
    timeZone,
  };
}
