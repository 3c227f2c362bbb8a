// RFC 7662 token introspection for opaque bearer tokens. Results are cached per token digest (the token
// itself is never kept): active ones until min(exp, now + max_cache_s), inactive ones briefly, so neither
// valid traffic nor a flood of bad tokens turns into one IdP call per request. Concurrent requests with the
// same uncached token share one call.
import type { IntrospectionConfig } from '../config/auth-schema.js';
import { authError } from './errors.js';
import { createExpiringLru } from './expiring-lru.js';
import { hashKeyHex } from './key-hash.js';
import type { Abortable } from '../net/abortable.js';

export interface IntrospectorDeps {
  readonly fetch: typeof fetch;
  readonly now: () => number;
}

export interface Introspector<T> {
  /** The mapped principal of an active token; throws 401-kind when inactive or when the call fails. */
  introspect(token: string, signal: Abortable): Promise<T>;
}

type Outcome<T> = { readonly active: true; readonly value: T } | { readonly active: false };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before being joined for Basic auth. */
function basicAuth(clientId: string, secret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** Rejects as soon as the caller goes away, without cancelling the call other requests may share. */
function untilAborted<T>(promise: Promise<T>, signal: Abortable): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      // Still observe the shared promise, so its later failure is never an unhandled rejection.
      promise.catch(() => undefined);
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort);
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function createIntrospector<T>(
  config: IntrospectionConfig,
  toPrincipal: (claims: Readonly<Record<string, unknown>>) => T,
  deps: IntrospectorDeps,
): Introspector<T> {
  const cache = createExpiringLru<Outcome<T>>(config.cache_entries);
  const inFlight = new Map<string, Promise<Outcome<T>>>();
  const authorization = basicAuth(config.client_id, config.client_secret);

  async function call(token: string): Promise<Readonly<Record<string, unknown>>> {
    let response: Response;
    try {
      response = await deps.fetch(config.url, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(config.timeout_ms),
        // A redirect would resend the token somewhere else.
        redirect: 'error',
      });
    } catch (error) {
      throw authError(
        'unauthorized',
        'Token could not be verified: the introspection endpoint is unreachable.',
        error,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw authError(
        'unauthorized',
        `Token could not be verified: the introspection endpoint answered HTTP ${response.status}.`,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // The timeout covers the body too: a stalled answer is not a malformed one.
      const timedOut = (error as { name?: string } | null)?.name === 'TimeoutError';
      throw authError(
        'unauthorized',
        timedOut
          ? 'Token could not be verified: the introspection endpoint did not answer in time.'
          : 'Token could not be verified: the introspection answer is not JSON.',
        error,
      );
    }
    if (!isRecord(body)) {
      throw authError(
        'unauthorized',
        'Token could not be verified: the introspection answer is not an object.',
      );
    }
    return body;
  }

  async function resolve(token: string, digest: string): Promise<Outcome<T>> {
    const claims = await call(token);
    const now = deps.now();
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] * 1000 : Infinity;
    const nbf = typeof claims['nbf'] === 'number' ? claims['nbf'] * 1000 : -Infinity;
    // Only a literal `true` is active (RFC 7662 §2.2); an expired or not-yet-valid answer is treated alike.
    if (claims['active'] !== true || exp <= now || nbf > now) {
      const outcome: Outcome<T> = { active: false };
      cache.set(digest, outcome, now + config.negative_cache_s * 1000);
      return outcome;
    }
    const outcome: Outcome<T> = { active: true, value: toPrincipal(claims) };
    cache.set(digest, outcome, Math.min(exp, now + config.max_cache_s * 1000));
    return outcome;
  }

  return {
    async introspect(token, signal) {
      const digest = hashKeyHex(token);
      let outcome = cache.get(digest, deps.now());
      if (outcome === undefined) {
        let pending = inFlight.get(digest);
        if (pending === undefined) {
          pending = resolve(token, digest).finally(() => inFlight.delete(digest));
          inFlight.set(digest, pending);
        }
        outcome = await untilAborted(pending, signal);
      }
      if (!outcome.active)
        throw authError('unauthorized', 'Token is not active (expired, revoked or unknown).');
      return outcome.value;
    },
  };
}
