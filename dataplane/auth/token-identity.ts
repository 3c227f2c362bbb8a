// Turns verified token claims (JWT or introspection) into an identity: the mapped team/app/user/roles, and
// the models of the configured team/app they name, else the issuer's own model list.
import type { ClaimNames } from '../config/auth-schema.js';
import { claimId, claimRoles } from './claims.js';
import type { Directory } from './directory.js';
import { mergeRoles, type AuthMethod, type Identity } from './identity.js';
import type { ModelMatcher } from './model-matcher.js';

export interface TokenMapping {
  readonly claims: ClaimNames;
  /** Models for a token whose team is not configured (or absent). */
  readonly fallbackModels: ModelMatcher;
  readonly method: Extract<AuthMethod, 'jwt' | 'introspection'>;
}

export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  mapping: TokenMapping,
  directory: Directory,
): Identity {
  const team = claimId(claims, mapping.claims.team);
  const app = claimId(claims, mapping.claims.app);
  const teamEntry = team === null ? undefined : directory.team(team);
  // An app the team does not configure gets the team's list: the token proves membership of the team,
  // and the team's list is the bound the operator set for it.
  const allowedModels =
    teamEntry === undefined
      ? mapping.fallbackModels
      : ((app === null ? undefined : teamEntry.apps.get(app)) ?? teamEntry.models);
  return Object.freeze({
    team,
    app,
    user: claimId(claims, mapping.claims.user),
    keyId: null,
    roles: mergeRoles(teamEntry?.roles ?? [], claimRoles(claims, mapping.claims.roles)),
    method: mapping.method,
    allowedModels,
  });
}
