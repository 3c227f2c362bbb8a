// The two ways authentication can fail: who you are is unknown (401 `unauthorized`) or what you asked is not
// allowed (403 `forbidden`). Every auth failure goes through authError so messages are built in one style.
import { GatewayError } from '../errors/gateway-error.js';

export type AuthErrorKind = 'unauthorized' | 'forbidden';

/** `cause` keeps the library error (jose, fetch) for logs; the client only sees `message`. */
export function authError(kind: AuthErrorKind, message: string, cause?: unknown): GatewayError {
  return new GatewayError(kind, message, cause === undefined ? {} : { cause });
}
