// Reading mapped claims out of a JWT payload or an introspection response, tolerating the shapes IdPs use:
// namespaced claim names containing dots, nested objects, roles as arrays or space-separated strings.
import { pickUser } from './identity.js';

type Claims = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  // Own properties only: a claim path such as "__proto__" or "constructor" must not reach prototypes.
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The claim named `name`: the literal key first (e.g. "https://example.com/team"), then a dotted path. */
export function readClaim(claims: Claims, name: string): unknown {
  const literal = own(claims, name);
  if (literal !== undefined || !name.includes('.')) return literal;
  let current: unknown = claims;
  for (const part of name.split('.')) {
    if (!isRecord(current)) return undefined;
    current = own(current, part);
  }
  return current;
}

/** A string claim (numbers are accepted as their text, since some IdPs emit numeric ids). */
export function claimString(claims: Claims, name: string): string | null {
  const value = readClaim(claims, name);
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * A team, app or user id from a token: a string claim with control characters replaced, then trimmed and cut
 * as a header's user id is (pickUser). The issuer signed it, but it still lands in 403 messages, records,
 * metrics and logs.
 */
export function claimId(claims: Claims, name: string): string | null {
  const value = claimString(claims, name);
  // eslint-disable-next-line no-control-regex -- the control characters are what is being removed
  return value === null ? null : pickUser(value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
}

/** Roles from an array of strings or a space-separated string (OAuth2 `scope`). */
export function claimRoles(claims: Claims, name: string): string[] {
  const value = readClaim(claims, name);
  if (typeof value === 'string') return value.split(' ').filter((role) => role !== '');
  if (Array.isArray(value))
    return value.filter((role): role is string => typeof role === 'string' && role !== '');
  return [];
}
