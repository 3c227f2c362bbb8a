// Report windows: the current calendar day, week (from Monday) or month in the budgets' time zone, the same
// periods the limits stage resets budgets on, so "budget burn" compares like with like.
import { createPeriodClock } from '../../dataplane/limits/periods.js';

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

/** The calendar period containing `now`: the limits stage's own clock, so reports and budgets never disagree. */
export function calendarPeriod(period: Period, now: Date, timeZone: string): { start: Date; end: Date } {
  const window = createPeriodClock(timeZone)(period, now.getTime());
  return { start: new Date(window.startsAt), end: new Date(window.endsAt) };
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
    // Whole minutes, widened outward: the rollup tables hold minutes, and the raw-table sections of the same
    // report must cover the same window.
    const asked = options.to ?? now;
    const askedFrom = options.from ?? calendarPeriod(period, asked, timeZone).start;
    if (askedFrom.getTime() >= asked.getTime()) throw new Error('--from must be before --to');
    const from = floorToMinute(askedFrom);
    const to = ceilToMinute(asked);
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

const MINUTE_MS = 60_000;
const floorToMinute = (date: Date) => new Date(Math.floor(date.getTime() / MINUTE_MS) * MINUTE_MS);
const ceilToMinute = (date: Date) => new Date(Math.ceil(date.getTime() / MINUTE_MS) * MINUTE_MS);
