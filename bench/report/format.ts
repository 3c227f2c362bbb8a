// Number formatting shared by the Markdown report and the compare mode.
import type { Spread } from '../stats/repeats.js';

/** µs shown as ms: 3 decimals below 10 ms, 1 above. */
export function ms(us: number | undefined | null): string {
  if (us === undefined || us === null || !Number.isFinite(us)) return '–';
  const v = us / 1000;
  return Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(1);
}

export function signedMs(us: number | undefined | null): string {
  const text = ms(us);
  return text !== '–' && us! >= 0 ? `+${text}` : text;
}

export function num(value: number | undefined | null, digits = 0): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

/** Relative spread as ±%, half of (max-min)/median. */
export function pm(s: Spread | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s.relative)) return '–';
  return `±${((s.relative / 2) * 100).toFixed(1)}%`;
}

export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a)) return '–';
  return `${(a / b).toFixed(2)}×`;
}
