// The two ways authentication can fail: who you are is unknown (401 `unauthorized`) or what you asked is not
// allowed (403 `forbidden`). Every auth failure goes through authError so messages are built in one style.
import { GatewayError } from '../errors/gateway-error.js';
import type { Identity } from './identity.js';

export type AuthErrorKind = 'unauthorized' | 'forbidden';

/** `cause` keeps the library error (jose, fetch) for logs; the client only sees `message`. */
export function authError(kind: AuthErrorKind, message: string, cause?: unknown): GatewayError {
  return new GatewayError(kind, message, cause === undefined ? {} : { cause });
}

/**
 * A credential that is authentic but refused (an expired API key): whose it is is known and true, so the
 * record names it (an audit trail of who keeps using a dead key), while the request is refused all the same.
 */
export class RefusedCredentialError extends GatewayError {
  constructor(
    message: string,
    readonly identity: Identity,
  ) {
    super('unauthorized', message);
  }
}
