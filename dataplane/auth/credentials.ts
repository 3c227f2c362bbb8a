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

/** The presented credential, undefined when none; throws 401-kind for an unusable Authorization header. */
export function readCredential(headers: Readonly<Record<string, string>>): Credential | undefined {
  const authorization = headers['authorization'];
  if (authorization !== undefined && authorization.trim() !== '') {
    const match = BEARER.exec(authorization);
    if (match === null) {
      // Name the scheme only (the part before the first space), never the credential after it.
      const scheme = authorization.trim().split(/[ \t]/, 1)[0]!.slice(0, 20);
      if (!/^bearer$/i.test(scheme)) {
        throw authError(
          'unauthorized',
          `Unsupported Authorization scheme '${scheme}'; use 'Bearer <key or token>'.`,
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
