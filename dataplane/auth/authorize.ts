// Authorization checks on an authenticated identity: model access (403 naming who and what) and roles.
import { authError } from './errors.js';
import type { Identity } from './identity.js';

/** "App 'web' of team 'acme'", "Team 'acme'", "User 'u1'"...: the subject of a 403 message. */
function describe(identity: Identity): string {
  if (identity.app !== null && identity.team !== null)
    return `App '${identity.app}' of team '${identity.team}'`;
  if (identity.app !== null) return `App '${identity.app}'`;
  if (identity.team !== null) return `Team '${identity.team}'`;
  if (identity.user !== null) return `User '${identity.user}'`;
  return identity.method === 'anonymous' ? 'An anonymous caller' : 'This caller';
}

export function canSee(identity: Identity, modelId: string): boolean {
  return identity.allowedModels.matches(modelId);
}

/** Throws a 403-kind error when the identity may not use the model. */
export function authorizeModel(identity: Identity, modelId: string): void {
  if (!identity.allowedModels.matches(modelId)) {
    throw authError('forbidden', `${describe(identity)} may not use model '${modelId}'.`);
  }
}

export function hasRole(identity: Identity, role: string): boolean {
  return identity.roles.includes(role);
}

/**
 * For admin endpoints: an anonymous caller gets 401 (authenticating may help), a known one without the
 * role gets 403 naming the missing role.
 */
export function requireRole(identity: Identity, role: string): void {
  if (hasRole(identity, role)) return;
  if (identity.method === 'anonymous')
    throw authError('unauthorized', `Authentication required ('${role}' role).`);
  throw authError('forbidden', `${describe(identity)} lacks the '${role}' role.`);
}
