// Authentication: which credential a request carries, and the identity it proves. The API-key path (one
// SHA-256, one Map lookup, no allocation unless a user is named) is the hot one; JWTs and introspection
// only run for tokens that look like them.
import type { AuthConfig, TeamsConfig } from '../config/auth-schema.js';
import { createKeyIndex } from './api-keys.js';
import { looksLikeJwt, readCredential, type Credential } from './credentials.js';
import { createDirectory } from './directory.js';
import { authError } from './errors.js';
import { pickUser, withUser, type Identity } from './identity.js';
import { createIntrospector, type Introspector } from './introspection.js';
import { quoteUntrusted } from './jwt-errors.js';
import { createJwtVerifier, type JwtVerifierDeps } from './jwt-verifier.js';
import { compileModelPatterns } from './model-matcher.js';
import { identityFromClaims, type TokenMapping } from './token-identity.js';
import type { Abortable } from '../net/abortable.js';

export interface AuthenticatorConfig {
  readonly auth: AuthConfig;
  readonly teams: TeamsConfig;
}

export interface AuthenticatorDeps {
  /** For JWKS URLs and introspection; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Epoch milliseconds; defaults to Date.now. Used for key expiry, JWT time claims and caches. */
  readonly now?: () => number;
  /** Remote JWKS kept across reloads, and who hears of their failed fetches (see jwt-verifier.ts). */
  readonly jwksSets?: JwtVerifierDeps['jwksSets'];
  readonly onJwksFetchFailed?: JwtVerifierDeps['onJwksFetchFailed'];
}

export interface Authenticator {
  /** True when nothing is configured to authenticate against (no teams, issuers or introspection). */
  readonly open: boolean;
  /** True when a request without credentials gets the anonymous identity. */
  readonly anonymousAllowed: boolean;
  /**
   * The identity of a request, from its headers (Authorization: Bearer, x-api-key or api-key) and the body's
   * user field; throws a 401-kind error when credentials are missing or invalid.
   */
  authenticate(
    headers: Readonly<Record<string, string>>,
    bodyUser: string | undefined,
    signal: Abortable,
  ): Promise<Identity>;
  /** Its config went live (start, or a reload that was applied): see JwtVerifier.activate. */
  activate(): void;
}

// Keys minted by hash-key.ts start with this; such a token is never sent to the IdP for introspection.
const GATEWAY_KEY_PREFIX = 'gw-';

export function createAuthenticator(
  config: AuthenticatorConfig,
  deps: AuthenticatorDeps = {},
): Authenticator {
  const { auth, teams } = config;
  const now = deps.now ?? Date.now;
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const directory = createDirectory(teams);
  const keys = createKeyIndex(teams, directory);
  const jwt = createJwtVerifier(auth.jwt, directory, {
    fetch: deps.fetch,
    now,
    jwksSets: deps.jwksSets,
    onJwksFetchFailed: deps.onJwksFetchFailed,
  });
  const introspection = auth.introspection;
  let introspector: Introspector<Identity> | undefined;
  if (introspection !== undefined) {
    const mapping: TokenMapping = {
      claims: introspection.claims,
      fallbackModels: compileModelPatterns(introspection.models),
      method: 'introspection',
    };
    introspector = createIntrospector(
      introspection,
      (claims) => identityFromClaims(claims, mapping, directory),
      {
        fetch: fetchImpl,
        now,
      },
    );
  }

  const open = directory.size === 0 && jwt.size === 0 && introspector === undefined;
  const anonymousAllowed = auth.anonymous === 'allow' || (auth.anonymous === 'auto' && open);
  const anonymous: Identity = Object.freeze({
    team: null,
    app: null,
    user: null,
    keyId: null,
    roles: Object.freeze([]),
    method: 'anonymous',
    allowedModels: compileModelPatterns(['*']),
  });

  /** Only bearer tokens are introspected: x-api-key / api-key carry gateway keys by convention. */
  const introspectable = (credential: Credential): boolean =>
    introspector !== undefined && credential.source === 'authorization';

  async function fromJwt(credential: Credential, signal: Abortable): Promise<Identity> {
    const outcome = await jwt.verify(credential.token);
    if (outcome.kind === 'verified') return outcome.identity;
    // A JWT-shaped access token of an issuer without a jwt entry may still be known to the IdP.
    if (introspectable(credential)) return introspector!.introspect(credential.token, signal);
    throw authError(
      'unauthorized',
      outcome.iss === null
        ? 'JWT has no iss claim.'
        : `JWT issuer '${quoteUntrusted(outcome.iss)}' is not trusted.`,
    );
  }

  return {
    open,
    anonymousAllowed,
    activate: () => jwt.activate(),
    async authenticate(headers, bodyUser, signal) {
      const headerUser = headers[auth.user_header];
      // With nothing configured, presented credentials cannot be checked against anything: an SDK's
      // placeholder key must not break the offline setup.
      if (open && anonymousAllowed) return withUser(anonymous, pickUser(headerUser, bodyUser));
      const credential = readCredential(headers);
      if (credential === undefined) {
        if (anonymousAllowed) return withUser(anonymous, pickUser(headerUser, bodyUser));
        throw authError(
          'unauthorized',
          "Missing credentials: send 'Authorization: Bearer <API key or token>' or an 'x-api-key' header.",
        );
      }
      if (looksLikeJwt(credential.token)) {
        const identity = await fromJwt(credential, signal);
        // A user claim in a verified token outranks what the client asserts in headers or body.
        return withUser(identity, pickUser(identity.user, headerUser, bodyUser));
      }
      const keyIdentity = keys.lookup(credential.token, now());
      if (keyIdentity !== undefined) return withUser(keyIdentity, pickUser(headerUser, bodyUser));
      if (introspectable(credential) && !credential.token.startsWith(GATEWAY_KEY_PREFIX)) {
        const identity = await introspector!.introspect(credential.token, signal);
        return withUser(identity, pickUser(identity.user, headerUser, bodyUser));
      }
      throw authError('unauthorized', 'Invalid API key.');
    },
  };
}
