// Public surface of authentication and authorization; everything else in this folder is internal.
export { createAuthenticator } from './authenticator.js';
export type { Authenticator, AuthenticatorConfig, AuthenticatorDeps } from './authenticator.js';
export { authorizeModel, canSee, hasRole, requireRole } from './authorize.js';
export { authError, type AuthErrorKind } from './errors.js';
export type { AuthMethod, Identity } from './identity.js';
export type { ModelMatcher } from './model-matcher.js';
