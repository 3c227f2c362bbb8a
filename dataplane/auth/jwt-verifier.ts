// JWT verification with jose: each configured issuer gets its key source (remote JWKS with its own cache,
// local JWKS file, or HS secret) and an explicit algorithm list. The token's unverified `iss` only selects
// which issuer's rules apply; everything it claims is then checked against those rules.
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { HMAC_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, type JwtIssuerConfig } from '../config/auth-schema.js';
import { ConfigError } from '../config/load.js';
import type { Directory } from './directory.js';
import { authError } from './errors.js';
import type { Identity } from './identity.js';
import { jwtFailure } from './jwt-errors.js';
import { createRemoteJwks, type RemoteJwks } from './remote-jwks.js';
import { compileModelPatterns } from './model-matcher.js';
import { identityFromClaims, type TokenMapping } from './token-identity.js';

export interface JwtVerifierDeps {
  readonly fetch?: typeof fetch;
  readonly now: () => number;
  /**
   * Remote key sets by URL and cache settings, kept by the caller across config reloads: a reload re-reads
   * each set at once, and during an identity provider outage keeps the keys already fetched. Read when a
   * verifier is built, changed only by `activate()`: a reload that is refused touches neither the map nor the
   * sets.
   */
  readonly jwksSets?: Map<string, RemoteJwks> | undefined;
  readonly onJwksFetchFailed?: ((url: string, error: unknown) => void) | undefined;
}

/** A verified identity, or the (unverified) iss of a token no configured issuer claims. */
export type JwtOutcome =
  | { readonly kind: 'verified'; readonly identity: Identity }
  | { readonly kind: 'unknown_issuer'; readonly iss: string | null };

export interface JwtVerifier {
  readonly size: number;
  /** Throws 401-kind errors for a token of a configured issuer that fails any check. */
  verify(token: string): Promise<JwtOutcome>;
  /**
   * The config this verifier was built from is now the live one: the remote sets it took over from the
   * previous config are re-read now, its new ones are kept for the next reload, and sets no issuer uses any
   * more are forgotten (the previous config's requests in flight keep their own reference).
   */
  activate(): void;
}

/** A remote set an issuer of this config uses, and whether it came from `jwksSets` (a previous config). */
interface UsedSet {
  readonly set: RemoteJwks;
  readonly inherited: boolean;
}

interface IssuerVerifier {
  readonly name: string;
  readonly key: Uint8Array | JWTVerifyGetKey;
  readonly options: Readonly<JWTVerifyOptions>;
  readonly mapping: TokenMapping;
}

/** One JWKS fetch; a request waits for one only when its issuer has no keys yet. */
const JWKS_FETCH_TIMEOUT_MS = 3000;

function keySource(
  issuer: JwtIssuerConfig,
  index: number,
  deps: JwtVerifierDeps,
  used: Map<string, UsedSet>,
): Uint8Array | JWTVerifyGetKey {
  if (issuer.secret !== undefined) return new TextEncoder().encode(issuer.secret);
  if (issuer.jwks_url !== undefined) {
    // Issuers with the same URL and cache settings share one set (one fetch per reload, not one per issuer).
    const id = `${issuer.jwks_url} ${issuer.jwks_cache_s} ${issuer.jwks_cooldown_s}`;
    const mine = used.get(id);
    if (mine !== undefined) return mine.set;
    const inherited = deps.jwksSets?.get(id);
    const set =
      inherited ??
      createRemoteJwks({
        url: issuer.jwks_url,
        cacheMaxAgeMs: issuer.jwks_cache_s * 1000,
        cooldownMs: issuer.jwks_cooldown_s * 1000,
        timeoutMs: JWKS_FETCH_TIMEOUT_MS,
        fetch: deps.fetch ?? fetch,
        now: deps.now,
        onFetchFailed: deps.onJwksFetchFailed,
      });
    used.set(id, { set, inherited: inherited !== undefined });
    return set;
  }
  const path = issuer.jwks_file!;
  // Read once when the config is applied, so a missing or broken file fails the (re)load, not requests.
  try {
    return createLocalJWKSet(
      JSON.parse(readFileSync(path, 'utf8')) as Parameters<typeof createLocalJWKSet>[0],
    );
  } catch (error) {
    throw new ConfigError(`auth.jwt.${index}.jwks_file: cannot load JWKS: ${(error as Error).message}`, path);
  }
}

function buildIssuer(
  issuer: JwtIssuerConfig,
  index: number,
  deps: JwtVerifierDeps,
  used: Map<string, UsedSet>,
): IssuerVerifier {
  const family = issuer.secret !== undefined ? HMAC_ALGORITHMS : PUBLIC_KEY_ALGORITHMS;
  return {
    name: issuer.issuer,
    key: keySource(issuer, index, deps, used),
    options: Object.freeze({
      issuer: issuer.issuer,
      audience: issuer.audience,
      // Always an explicit list of one key family: jose then refuses `none` and cross-family algorithms
      // (an HS256 token "signed" with an RSA public key) before looking at the signature.
      algorithms: [...(issuer.algorithms ?? family)],
      clockTolerance: issuer.clock_skew_s,
      requiredClaims: ['exp'],
    }),
    mapping: {
      claims: issuer.claims,
      fallbackModels: compileModelPatterns(issuer.models),
      method: 'jwt',
    },
  };
}

/** A token without kid may match several keys of a JWKS (rotation); each is tried in turn. */
async function verifyWithCandidates(token: string, issuer: IssuerVerifier, now: number): Promise<JWTPayload> {
  const options = { ...issuer.options, currentDate: new Date(now) };
  try {
    // The union of key kinds is not one of jwtVerify's overloads; each branch calls the matching one.
    const { payload } =
      issuer.key instanceof Uint8Array
        ? await jwtVerify(token, issuer.key, options)
        : await jwtVerify(token, issuer.key, options);
    return payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

export function createJwtVerifier(
  issuers: readonly JwtIssuerConfig[],
  directory: Directory,
  deps: JwtVerifierDeps,
): JwtVerifier {
  const used = new Map<string, UsedSet>();
  const byName = new Map<string, IssuerVerifier>(
    issuers.map((issuer, i) => [issuer.issuer, buildIssuer(issuer, i, deps, used)]),
  );

  return {
    size: byName.size,
    activate() {
      const sets = deps.jwksSets;
      if (sets === undefined) return;
      for (const [id, { set, inherited }] of used) {
        // An operator who reloads after a key was withdrawn expects it refused from then on.
        if (inherited) set.reload();
        else sets.set(id, set);
      }
      for (const id of [...sets.keys()]) if (!used.has(id)) sets.delete(id);
    },
    async verify(token) {
      let header: ReturnType<typeof decodeProtectedHeader>;
      let iss: unknown;
      try {
        header = decodeProtectedHeader(token);
        iss = decodeJwt(token).iss;
      } catch (error) {
        throw authError('unauthorized', 'JWT is malformed.', error);
      }
      // jose refuses `none` too; checking first gives the client the precise reason, whatever the issuer.
      if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
        throw authError('unauthorized', "JWT algorithm 'none' (unsigned tokens) is not accepted.");
      }
      const issuer = typeof iss === 'string' ? byName.get(iss) : undefined;
      if (issuer === undefined) return { kind: 'unknown_issuer', iss: typeof iss === 'string' ? iss : null };
      let payload: JWTPayload;
      try {
        payload = await verifyWithCandidates(token, issuer, deps.now());
      } catch (error) {
        throw jwtFailure(error, issuer.name, header);
      }
      return { kind: 'verified', identity: identityFromClaims(payload, issuer.mapping, directory) };
    },
  };
}
