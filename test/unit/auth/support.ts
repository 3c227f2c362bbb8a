// Shared pieces of the auth tests: configs parsed through the real schemas, a settable clock, and an
// assertion for the 401/403 errors the authenticator throws.
import assert from 'node:assert/strict';
import { authConfigSchema, teamsSchema } from '../../../dataplane/config/auth-schema.js';
import {
  createAuthenticator,
  type Authenticator,
  type AuthenticatorDeps,
} from '../../../dataplane/auth/index.js';
import { isGatewayError } from '../../../dataplane/errors/gateway-error.js';
import { hashKeyHex } from '../../../dataplane/auth/key-hash.js';

/** A fixed instant well inside every key's validity, so tests do not depend on the real date. */
export const T0 = Date.parse('2026-06-01T12:00:00Z');

export interface Clock {
  now: number;
  readonly read: () => number;
}

export function clock(start = T0): Clock {
  const state: Clock = {
    now: start,
    read: () => state.now,
  };
  return state;
}

/**
 * An authenticator from raw config, live as the gateway makes a config it applies (`activate`); its clock is
 * T0 unless the test passes one. `activate: false` builds one as a reload that is then refused does.
 */
export function authenticator(
  auth: unknown,
  teams: unknown,
  deps: AuthenticatorDeps = {},
  { activate = true }: { activate?: boolean } = {},
): Authenticator {
  const built = createAuthenticator(
    { auth: authConfigSchema.parse(auth), teams: teamsSchema.parse(teams) },
    { now: () => T0, ...deps },
  );
  if (activate) built.activate();
  return built;
}

export const never = new AbortController().signal;

/** Awaits a rejection that is a 401 (`unauthorized`) or 403 (`forbidden`) gateway error matching `message`. */
export async function rejectsWith(
  action: Promise<unknown> | (() => unknown),
  status: 401 | 403,
  message: RegExp,
): Promise<Error> {
  let thrown: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    thrown = error;
  }
  assert.ok(isGatewayError(thrown), `expected a GatewayError, got ${String(thrown)}`);
  assert.equal(thrown.status, status);
  const body = thrown.toBody().error;
  assert.equal(body.code, status === 401 ? 'unauthorized' : 'forbidden');
  assert.equal(body.type, status === 401 ? 'authentication_error' : 'permission_error');
  assert.match(thrown.message, message);
  return thrown;
}

export const WEB_KEY = 'gw-web-key-0123456789abcdefghijklmnopqrstuvwxyz';
export const WEB_NEXT_KEY = 'gw-web-key-next-9876543210zyxwvutsrqponmlkjihgf';
export const OPS_KEY = 'gw-ops-key-abcdefghijklmnopqrstuvwxyz0123456789';

/** Team acme: app web (narrowed to gpt-4o-mini, two keys for rotation) and app batch (team's list). */
export function acmeTeams(): unknown {
  return {
    acme: {
      models: ['gpt-4o*', 'claude-*', 'sim-*'],
      roles: [],
      apps: {
        web: {
          models: ['gpt-4o-mini'],
          keys: [
            { id: 'web-2026-05', sha256: hashKeyHex(WEB_KEY), expires_at: '2026-07-01T00:00:00Z' },
            { id: 'web-2026-06', sha256: hashKeyHex(WEB_NEXT_KEY) },
          ],
        },
        batch: { keys: [] },
      },
    },
    ops: {
      models: ['*'],
      roles: ['operator'],
      apps: {
        console: { keys: [{ id: 'ops-1', sha256: hashKeyHex(OPS_KEY).toUpperCase(), roles: ['admin'] }] },
      },
    },
  };
}
