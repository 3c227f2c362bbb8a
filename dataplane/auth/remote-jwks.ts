// A remote JWKS as jose's key resolver, with the cache an identity provider outage needs. jose's own remote set
// forgets its keys once they are older than the cache age and then fails every token while the JWKS URL is
// down, and its cooldown applies only after successful fetches, so a failing URL is asked again for every
// token with an unknown kid. Here the keys last fetched keep serving while a refresh fails (and are refreshed
// in the background once stale), and every fetch, failed or not, starts the cooldown. A config reload re-reads
// the set at once (`reload`): an operator who reloads after a key was withdrawn expects it to stop being
// accepted then, not after the cache age.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RemoteJwksOptions {
  readonly url: string;
  /** Keys older than this are refreshed (in the background: the old ones keep serving meanwhile). */
  readonly cacheMaxAgeMs: number;
  /** At most one fetch per this interval (an unknown kid, a stale set), whether the last one failed or not. */
  readonly cooldownMs: number;
  /** Bound on one fetch; a request waits for a fetch only when it has no key to try yet. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Told of each failed fetch (at most one per cooldown): an outage of the provider must be visible. */
  readonly onFetchFailed?: ((url: string, error: unknown) => void) | undefined;
}

export type RemoteJwks = JWTVerifyGetKey & {
  /**
   * Re-reads the set now, whatever its age and the cooldown (a fetch under way is joined); the keys it has keep
   * serving until the new set arrives, and also if the fetch fails. Nothing to do for a set never fetched.
   */
  reload(): void;
};

export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  let keys: { resolve: JWTVerifyGetKey; fetchedAt: number } | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  /** Why the last fetch failed: a request with no key to try gets it (a 401 saying the keys are unavailable). */
  let lastError: unknown;
  let inflight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      lastAttempt = options.now();
      try {
        const response = await options.fetch(options.url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`the JWKS URL answered ${response.status}`);
        }
        const set = (await response.json()) as JSONWebKeySet;
        if (!Array.isArray(set?.keys)) throw new Error('the JWKS has no keys array');
        keys = { resolve: createLocalJWKSet(set), fetchedAt: options.now() };
        lastError = undefined;
      } catch (error) {
        lastError = error;
        options.onFetchFailed?.(options.url, error);
        throw error;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };
  const coolingDown = () => options.now() - lastAttempt < options.cooldownMs;
  // Stale keys serve through an outage, but not forever: a key the provider revoked meanwhile would.
  const maxStaleMs = Math.max(3_600_000, 6 * options.cacheMaxAgeMs);

  const resolveKey: JWTVerifyGetKey = async (header, token) => {
    if (keys !== undefined && options.now() - keys.fetchedAt > options.cacheMaxAgeMs + maxStaleMs)
      keys = undefined;
    if (keys === undefined) {
      // Nothing to try yet: wait for a fetch (or fail as the last one did, within the cooldown).
      if (!(coolingDown() && inflight === undefined)) await (inflight ?? refresh()).catch(() => undefined);
      if (keys === undefined) throw new Error('the JWKS could not be fetched', { cause: lastError });
    } else if (options.now() - keys.fetchedAt > options.cacheMaxAgeMs && !coolingDown()) {
      void refresh().catch(() => undefined);
    }
    try {
      return await keys.resolve(header, token);
    } catch (error) {
      // A kid this set does not have: the provider may have rotated. A fetch under way is waited for; else one
      // is made, at most once per cooldown.
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (inflight !== undefined) await inflight.catch(() => undefined);
      else if (!coolingDown()) await refresh().catch(() => undefined);
      else throw error;
      return keys.resolve(header, token);
    }
  };
  return Object.assign(resolveKey, {
    reload() {
      if (keys !== undefined) void refresh().catch(() => undefined);
    },
  });
}
