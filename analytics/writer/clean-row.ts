// Makes one row safe to store: finite numbers, well-formed text, bounded strings and collections. Runs in
// the writer's flush, off the request path; the access log (logging.access_log) also bounds its lines with it,
// per request. Generic over fields so that columns the wiring adds are covered too.
import type { RowLimits } from './types.js';

/** Repairs, as bit flags so that a row costs no allocation to report them. */
export const REPAIR = {
  nonFiniteNumber: 1,
  malformedText: 2,
  truncatedString: 4,
  truncatedCollection: 8,
  invalidType: 16,
} as const;

export const REPAIR_REASONS: readonly (readonly [number, string])[] = [
  [REPAIR.nonFiniteNumber, 'non_finite_number'],
  [REPAIR.malformedText, 'malformed_text'],
  [REPAIR.truncatedString, 'truncated_string'],
  [REPAIR.truncatedCollection, 'truncated_collection'],
  [REPAIR.invalidType, 'invalid_type'],
];

export const DEFAULT_LIMITS: RowLimits = {
  stringChars: 4096,
  fieldChars: { user_agent: 1024, path: 2048, error_message: 8192, client_ip: 64, request_id: 64 },
  collectionEntries: 256,
  collectionChars: 64 * 1024,
};

/** Deeper values are not expected in a record; refusing them bounds the work per row. */
const MAX_DEPTH = 3;

// The project's lib is ES2023; these ES2024 string methods exist in Node 20 (V8 11.3).
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

interface Cleaner {
  limits: RowLimits;
  flags: number;
  /** Characters used by the collection being cleaned, to enforce `collectionChars`. */
  budget: number;
}

function cleanString(c: Cleaner, s: string, max: number): string {
  let out = s;
  if (out.length > max) {
    out = out.slice(0, max);
    c.flags |= REPAIR.truncatedString;
  }
  // Lone surrogates (invalid UTF-8 once encoded, or a cut pair) become U+FFFD rather than failing the insert.
  if (!(out as string & WellFormed).isWellFormed()) {
    out = (out as string & WellFormed).toWellFormed();
    c.flags |= REPAIR.malformedText;
  }
  return out;
}

function cleanValue(c: Cleaner, value: unknown, maxChars: number, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      c.budget -= value.length;
      return cleanString(c, value, maxChars);
    case 'number':
      c.budget -= 8;
      if (Number.isFinite(value)) return value;
      c.flags |= REPAIR.nonFiniteNumber;
      return null;
    case 'boolean':
      c.budget -= 5;
      return value;
    case 'undefined':
      return undefined;
    case 'object':
      if (value === null) return null;
      if (depth < MAX_DEPTH) return cleanCollection(c, value, depth + 1);
      break;
  }
  c.flags |= REPAIR.invalidType;
  return null;
}

function cleanCollection(c: Cleaner, value: object, depth: number): unknown {
  const { collectionEntries, stringChars } = c.limits;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value as unknown[]) {
      if (out.length >= collectionEntries || c.budget <= 0) {
        c.flags |= REPAIR.truncatedCollection;
        break;
      }
      out.push(cleanValue(c, item, stringChars, depth));
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  let entries = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (entries >= collectionEntries || c.budget <= 0) {
      c.flags |= REPAIR.truncatedCollection;
      break;
    }
    c.budget -= key.length;
    const cleaned = cleanValue(c, (value as Record<string, unknown>)[key], stringChars, depth);
    if (cleaned !== undefined) out[cleanString(c, key, stringChars)] = cleaned;
    entries++;
  }
  return out;
}

/** Whether a value is stored as is: the common case, checked without allocating. */
export function isClean(value: unknown, limits: RowLimits, maxChars: number, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.length <= maxChars && (value as string & WellFormed).isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      // Collections get the precise size accounting of the cleaning pass unless they are obviously small.
      let entries = 0;
      if (Array.isArray(value)) {
        if (value.length > 16) return false;
        for (const item of value as unknown[]) if (!isClean(item, limits, 256, depth + 1)) return false;
        return true;
      }
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (++entries > 16 || key.length > 256 || !(key as string & WellFormed).isWellFormed()) return false;
        if (!isClean((value as Record<string, unknown>)[key], limits, 256, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Returns `row` itself when it is already safe, else a copy that serialises to valid JSON ClickHouse
 * accepts, with the repairs made. Non-finite numbers become null (ClickHouse stores the column default for
 * a non-Nullable column). Not copying clean rows matters: a row rebuilt key by key is a slow dictionary-mode
 * object for JSON.stringify, and most rows are clean.
 */
export function cleanRow(row: object, limits: RowLimits): { row: Record<string, unknown>; flags: number } {
  let clean = true;
  for (const key in row) {
    if (!Object.hasOwn(row, key)) continue;
    const value = (row as Record<string, unknown>)[key];
    if (value !== undefined && !isClean(value, limits, limits.fieldChars[key] ?? limits.stringChars, 0)) {
      clean = false;
      break;
    }
  }
  if (clean) return { row: row as Record<string, unknown>, flags: 0 };
  const c: Cleaner = { limits, flags: 0, budget: 0 };
  const out: Record<string, unknown> = {};
  for (const key in row) {
    if (!Object.hasOwn(row, key)) continue;
    c.budget = limits.collectionChars;
    const value = cleanValue(
      c,
      (row as Record<string, unknown>)[key],
      limits.fieldChars[key] ?? limits.stringChars,
      0,
    );
    if (value !== undefined) out[key] = value;
  }
  return { row: out, flags: c.flags };
}
