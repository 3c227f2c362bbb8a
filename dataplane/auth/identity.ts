// Who a request is: the result of authentication, read by authorization, limits and records.
import type { ModelMatcher } from './model-matcher.js';

export type AuthMethod = 'api_key' | 'jwt' | 'introspection' | 'anonymous';

export interface Identity {
  readonly team: string | null;
  readonly app: string | null;
  /** The end user: from the token's claims, else the user header, else the body's user field. */
  readonly user: string | null;
  /** The API key's configured id (never the key); null for other methods. */
  readonly keyId: string | null;
  readonly roles: readonly string[];
  readonly method: AuthMethod;
  readonly allowedModels: ModelMatcher;
}

// Long ids are cut rather than refused: the user field is informational, and an unbounded one would bloat
// every record and label it reaches.
const MAX_USER_LENGTH = 256;

/** The first usable user id among the candidates, in order of trust. */
export function pickUser(...candidates: readonly (string | undefined | null)[]): string | null {
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null) continue;
    const trimmed = candidate.trim();
    if (trimmed !== '') return trimmed.length > MAX_USER_LENGTH ? trimmed.slice(0, MAX_USER_LENGTH) : trimmed;
  }
  return null;
}

/**
 * Identities without a user are shared, frozen objects built at config time; only a request that names a
 * user pays for a copy.
 */
export function withUser(base: Identity, user: string | null): Identity {
  return user === null || user === base.user ? base : Object.freeze({ ...base, user });
}

/** Union of role lists, without duplicates, frozen. */
export function mergeRoles(...lists: readonly (readonly string[])[]): readonly string[] {
  return Object.freeze([...new Set(lists.flat())]);
}
