// Where a credential comes from (OpenAI SDKs: Authorization: Bearer; Anthropic SDK: x-api-key; Azure SDK:
// api-key) and what it looks like (JWT or not), decided by shape before any verification.
import { decodeProtectedHeader } from 'jose';
import { authError } from './errors.js';

export type CredentialSource = 'authorization' | 'x-api-key' | 'api-key';

export interface Credential {
  readonly token: string;
  readonly source: CredentialSource;
}

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Schemes other than Bearer that clients send (IANA's HTTP Authentication Scheme Registry, and a few common
 * unregistered ones), by lower-case name: only these are echoed in the 401.
 */
const KNOWN_SCHEMES = new Map(
  [
    'Basic',
    'Digest',
    'Negotiate',
    'NTLM',
    'HOBA',
    'Mutual',
    'OAuth',
    'DPoP',
    'PrivateToken',
    'SCRAM-SHA-1',
    'SCRAM-SHA-256',
    'vapid',
    'Token',
    'ApiKey',
    'Api-Key',
    'Key',
    'AWS4-HMAC-SHA256',
  ].map((name) => [name.toLowerCase(), name]),
);

/** The presented credential, undefined when none; throws 401-kind for an unusable Authorization header. */
export function readCredential(headers: Readonly<Record<string, string>>): Credential | undefined {
  const authorization = headers['authorization'];
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = BEARER.exec(authorization);
    if (match === null) {
      const scheme = authorization.trim().split(/[ \t]/, 1)[0]!;
      if (!/^bearer$/i.test(scheme)) {
        // The first word is named only when it is a known scheme: a key sent without `Bearer` is that word.
        const known = KNOWN_SCHEMES.get(scheme.toLowerCase());
        throw authError(
          'unauthorized',
          known === undefined
            ? "The Authorization header has no 'Bearer' scheme; use 'Bearer <key or token>'."
            : `Unsupported Authorization scheme '${known}'; use 'Bearer <key or token>'.`,
        );
      }
      throw authError(
        'unauthorized',
        authorization.trim().length === scheme.length
          ? 'The Authorization header has an empty bearer token.'
          : 'The Authorization header has a malformed bearer token (it must be one word).',
      );
    }
    return { token: match[1]!, source: 'authorization' };
  }
  for (const source of ['x-api-key', 'api-key'] as const) {
    const value = headers[source]?.trim();
    if (value !== undefined && value !== '') return { token: value, source };
  }
  return undefined;
}

// Header and payload must be base64url; the signature may be empty so that an `alg: none` token is still
// recognised as a JWT and refused as one, rather than treated as an opaque token.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Three base64url parts whose first decodes to a JSON object with an `alg`. */
export function looksLikeJwt(token: string): boolean {
  // API keys contain no dot: the hot path leaves here without running the regex.
  if (!token.includes('.') || !JWT_SHAPE.test(token)) return false;
  try {
    return typeof decodeProtectedHeader(token).alg === 'string';
  } catch {
    return false;
  }
}
