// Config for authentication (`auth:`) and the identity directory (`teams:`). Unknown keys are rejected
// everywhere, and combinations that would weaken verification (an HS algorithm on a public-key issuer, a
// key hash listed twice) are rejected here rather than discovered at request time.
import { z } from 'zod';
import { limitSpecSchema } from '../limits/schema.js';

/** Symmetric (shared-secret) JWS algorithms; only valid with `secret`. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** Asymmetric JWS algorithms; only valid with a JWKS (`jwks_url` / `jwks_file`). */
export const PUBLIC_KEY_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

// `none` is deliberately absent: there is no way to configure unsigned tokens.
const algorithmSchema = z.enum([...HMAC_ALGORITHMS, ...PUBLIC_KEY_ALGORITHMS]);

/** Model patterns: exact model ids (aliases included) or globs where `*` matches any run of characters. */
const modelPatternsSchema = z.array(z.string().min(1));

const rolesSchema = z.array(z.string().min(1)).default([]);

/** Claim names; a dotted path (`realm_access.roles`) reaches into nested objects. */
function claimsSchema(defaults: { team: string; app: string; user: string; roles: string }) {
  return z
    .strictObject({
      team: z.string().min(1).default(defaults.team),
      app: z.string().min(1).default(defaults.app),
      user: z.string().min(1).default(defaults.user),
      roles: z.string().min(1).default(defaults.roles),
    })
    .prefault({});
}

const seconds = (fallback: number) => z.number().int().nonnegative().default(fallback);

export const jwtIssuerSchema = z
  .strictObject({
    /** Must equal the token's `iss` claim exactly; also how a token finds its issuer config. */
    issuer: z.string().min(1),
    /** Accepted `aud` values; the token must carry at least one. Required so a token minted for another
     * service of the same IdP is not accepted here. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    jwks_url: z.url().optional(),
    jwks_file: z.string().min(1).optional(),
    /** HS* shared secret; at least 32 characters (RFC 7518 requires a key as long as the hash). */
    secret: z.string().min(32).optional(),
    /** Allowed `alg` values; default: HS256/384/512 for `secret`, every public-key algorithm for a JWKS. */
    algorithms: z.array(algorithmSchema).min(1).optional(),
    clock_skew_s: seconds(30),
    claims: claimsSchema({ team: 'team', app: 'app', user: 'sub', roles: 'roles' }),
    /** How long fetched keys are used before the JWKS URL is read again. */
    jwks_cache_s: seconds(600),
    /** After a fetch, how long an unknown `kid` waits before it may trigger another fetch (key rotation). */
    jwks_cooldown_s: seconds(30),
    /** Models for tokens whose team claim names no configured team. */
    models: modelPatternsSchema.default(['*']),
  })
  .superRefine((issuer, ctx) => {
    const sources = [issuer.jwks_url, issuer.jwks_file, issuer.secret].filter((s) => s !== undefined);
    if (sources.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of jwks_url, jwks_file, secret' });
      return;
    }
    // Mixing families is how algorithm confusion happens (an HS256 token "signed" with the public key).
    const allowed: readonly string[] = issuer.secret !== undefined ? HMAC_ALGORITHMS : PUBLIC_KEY_ALGORITHMS;
    for (const [i, alg] of (issuer.algorithms ?? []).entries()) {
      if (!allowed.includes(alg)) {
        ctx.addIssue({
          code: 'custom',
          path: ['algorithms', i],
          message: `${alg} cannot be used with ${issuer.secret !== undefined ? 'secret' : 'a JWKS'}`,
        });
      }
    }
  });

export const introspectionSchema = z.strictObject({
  /** RFC 7662 endpoint; called for bearer tokens that are neither JWTs of a configured issuer nor API keys. */
  url: z.url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  /** An active token is cached until min(its exp, now + max_cache_s). */
  max_cache_s: seconds(300),
  /** An inactive token is remembered this long, so a bad token cannot hammer the endpoint. */
  negative_cache_s: seconds(30),
  timeout_ms: z.number().int().positive().default(2_000),
  /** Bound on cached tokens (least recently used are dropped first). */
  cache_entries: z.number().int().positive().default(10_000),
  claims: claimsSchema({ team: 'team', app: 'client_id', user: 'sub', roles: 'scope' }),
  /** Models for tokens whose team claim names no configured team. */
  models: modelPatternsSchema.default(['*']),
});

export const authConfigSchema = z
  .strictObject({
    /** auto: anonymous only while no teams, issuers or introspection are configured. */
    anonymous: z.enum(['auto', 'allow', 'deny']).default('auto'),
    /** Header carrying the end user's id; lower-cased because header names arrive lower-cased. */
    user_header: z
      .string()
      .min(1)
      .transform((name) => name.toLowerCase())
      .default('x-gateway-user'),
    jwt: z.array(jwtIssuerSchema).default([]),
    introspection: introspectionSchema.optional(),
  })
  .superRefine((auth, ctx) => {
    const seen = new Set<string>();
    for (const [i, issuer] of auth.jwt.entries()) {
      if (seen.has(issuer.issuer)) {
        ctx.addIssue({
          code: 'custom',
          path: ['jwt', i, 'issuer'],
          message: `duplicate issuer "${issuer.issuer}"`,
        });
      }
      seen.add(issuer.issuer);
    }
  });

export const apiKeySchema = z.strictObject({
  /** Shown in records and error messages; never the key itself. */
  id: z.string().min(1),
  /** SHA-256 of the full key string, hex (see `dataplane/auth/hash-key.ts`). */
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
    .transform((hex) => hex.toLowerCase()),
  /** ISO 8601 with offset; the key is refused from this instant on. */
  expires_at: z.iso.datetime({ offset: true }).optional(),
  roles: rolesSchema,
  /** Limits of this key alone (see docs/limits.md). */
  limits: limitSpecSchema.optional(),
});

export const appSchema = z.strictObject({
  /** Narrows the team's list (a model must match both); absent = the team's list. */
  models: modelPatternsSchema.optional(),
  /** Two keys during a rotation; each is valid until its own expires_at. */
  keys: z.array(apiKeySchema).default([]),
  /** Limits and budgets of the app as a whole. */
  limits: limitSpecSchema.optional(),
  /** Limits of each end user of the app (overrides the team's user_limits). */
  user_limits: limitSpecSchema.optional(),
});

export const teamSchema = z.strictObject({
  /** Required so that "which models may this team use" is always an explicit decision; ["*"] = all. */
  models: modelPatternsSchema,
  /** Roles every identity of the team has (e.g. admin). */
  roles: rolesSchema,
  apps: z.record(z.string().min(1), appSchema).default({}),
  /** Limits and budgets of the team as a whole (its apps' and users' use counts here too). */
  limits: limitSpecSchema.optional(),
  /** Limits of each end user, per team, unless the app sets its own. */
  user_limits: limitSpecSchema.optional(),
});

export const teamsSchema = z
  .record(z.string().min(1), teamSchema)
  .default({})
  .superRefine((teams, ctx) => {
    // A digest must resolve to exactly one key, or one app's key would authenticate as another app.
    const digests = new Map<string, string>();
    for (const [teamId, team] of Object.entries(teams)) {
      for (const [appId, app] of Object.entries(team.apps)) {
        const ids = new Set<string>();
        for (const [i, key] of app.keys.entries()) {
          const path = [teamId, 'apps', appId, 'keys', i];
          if (ids.has(key.id))
            ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `duplicate key id "${key.id}"` });
          ids.add(key.id);
          const owner = digests.get(key.sha256);
          if (owner !== undefined) {
            ctx.addIssue({ code: 'custom', path: [...path, 'sha256'], message: `same key hash as ${owner}` });
          }
          digests.set(key.sha256, `${teamId}.apps.${appId} key "${key.id}"`);
        }
      }
    }
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;
export type TeamsConfig = z.infer<typeof teamsSchema>;
export type TeamConfig = z.infer<typeof teamSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
export type JwtIssuerConfig = z.infer<typeof jwtIssuerSchema>;
export type IntrospectionConfig = z.infer<typeof introspectionSchema>;
export type ClaimNames = JwtIssuerConfig['claims'];
export type JwsAlgorithm = z.infer<typeof algorithmSchema>;
