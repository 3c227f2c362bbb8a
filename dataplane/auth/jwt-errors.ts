// jose's failures turned into 401 messages a client can act on. Messages name the failed check and the
// issuer, never the token.
import { errors } from 'jose';
import type { GatewayError } from '../errors/gateway-error.js';
import { authError } from './errors.js';

/**
 * Text from an untrusted token, shortened and stripped of control characters before it enters a message. A
 * token's header and claims are any JSON, so a value that should be a string may be a number, object or null.
 */
export function quoteUntrusted(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 100 ? `${printable.slice(0, 100)}...` : printable;
}

function claimFailure(claim: string, reason: string, issuer: string, cause: unknown): GatewayError {
  // A claim of the wrong type ("nbf": "tomorrow") is not one whose check failed.
  if (reason === 'invalid' && (claim === 'nbf' || claim === 'exp' || claim === 'iat'))
    return authError('unauthorized', `JWT has an invalid ${claim} claim (it must be a number).`, cause);
  switch (claim) {
    case 'nbf':
      return authError('unauthorized', 'JWT is not valid yet (nbf is in the future).', cause);
    case 'aud':
      return authError('unauthorized', `JWT audience is not accepted by issuer '${issuer}'.`, cause);
    case 'exp':
      return authError('unauthorized', 'JWT has no valid exp claim.', cause);
    case 'iat':
      return authError('unauthorized', 'JWT has an invalid iat claim.', cause);
    default:
      return authError('unauthorized', `JWT claim '${quoteUntrusted(claim)}' is invalid.`, cause);
  }
}

/** Maps a failure of jwtVerify (or of fetching the issuer's keys) to a 401-kind error. */
export function jwtFailure(
  error: unknown,
  issuer: string,
  header: { alg?: string; kid?: string },
): GatewayError {
  if (error instanceof errors.JWTExpired) return authError('unauthorized', 'JWT has expired.', error);
  if (error instanceof errors.JWTClaimValidationFailed)
    return claimFailure(error.claim, error.reason, issuer, error);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return authError(
      'unauthorized',
      `JWT algorithm '${quoteUntrusted(header.alg ?? '')}' is not allowed for issuer '${issuer}'.`,
      error,
    );
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    // A key set matches on kid and algorithm: a kid that is there for another algorithm (a PS256 token for an
    // RS256 key) is no match either, so the message names both.
    const kid = header.kid === undefined ? 'no kid' : `kid '${quoteUntrusted(header.kid)}'`;
    const alg = `alg '${quoteUntrusted(header.alg ?? '')}'`;
    return authError(
      'unauthorized',
      `JWT signing key (${kid}, ${alg}) is not in the key set of issuer '${issuer}': no key there has ` +
        'that kid for that algorithm.',
      error,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return authError('unauthorized', 'JWT signature is invalid.', error);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return authError('unauthorized', 'JWT is malformed.', error);
  }
  if (error instanceof errors.JOSENotSupported) {
    // jose says which: an algorithm or key type, or a `crit` header parameter it does not implement.
    const crit = /Extension Header Parameter/.test(error.message);
    return authError(
      'unauthorized',
      crit
        ? 'JWT has a critical header parameter (crit) the gateway does not implement.'
        : 'JWT uses an unsupported algorithm or key type.',
      error,
    );
  }
  // Timeouts, HTTP errors and invalid documents from the JWKS URL: the token may be fine, the keys are not
  // available. Still 401, since the gateway cannot vouch for the caller.
  return authError('unauthorized', `Could not obtain the signing keys of issuer '${issuer}'.`, error);
}
