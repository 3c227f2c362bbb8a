// The auth and teams config: defaults, and the combinations refused at load time because they would weaken
// verification (mixed algorithm families, `none`, ambiguous key hashes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { authConfigSchema, teamsSchema } from '../../../dataplane/config/auth-schema.js';
import { formatIssues } from '../../../dataplane/config/load.js';

const HEX = 'ab'.repeat(32);

function issues(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, 'expected the value to be refused');
  return formatIssues(result.error!.issues);
}

const jwks = { issuer: 'https://idp.test', audience: 'gw', jwks_url: 'https://idp.test/jwks' };

describe('auth config schema', () => {
  it('defaults: auto anonymous, x-gateway-user, no issuers', () => {
    const auth = authConfigSchema.parse({});
    assert.equal(auth.anonymous, 'auto');
    assert.equal(auth.user_header, 'x-gateway-user');
    assert.deepEqual(auth.jwt, []);
    assert.equal(auth.introspection, undefined);
    const issuer = authConfigSchema.parse({ jwt: [jwks] }).jwt[0]!;
    assert.equal(issuer.clock_skew_s, 30);
    assert.equal(issuer.jwks_cache_s, 600);
    assert.deepEqual(issuer.claims, { team: 'team', app: 'app', user: 'sub', roles: 'roles' });
    const introspection = authConfigSchema.parse({
      introspection: { url: 'https://idp.test/i', client_id: 'c', client_secret: 's' },
    }).introspection!;
    assert.deepEqual(introspection.claims, { team: 'team', app: 'client_id', user: 'sub', roles: 'scope' });
    assert.equal(introspection.max_cache_s, 300);
    assert.equal(authConfigSchema.parse({ user_header: 'X-User' }).user_header, 'x-user');
  });

  it('refuses alg none, and algorithms of the other key family', () => {
    assert.match(
      issues(authConfigSchema, { jwt: [{ ...jwks, algorithms: ['none'] }] }),
      /jwt\.0\.algorithms\.0/,
    );
    assert.match(
      issues(authConfigSchema, { jwt: [{ ...jwks, algorithms: ['RS256', 'HS256'] }] }),
      /jwt\.0\.algorithms\.1: HS256 cannot be used with a JWKS/,
    );
    const secret = { issuer: 'i', audience: 'a', secret: 'x'.repeat(32) };
    assert.match(
      issues(authConfigSchema, { jwt: [{ ...secret, algorithms: ['RS256'] }] }),
      /RS256 cannot be used with secret/,
    );
  });

  it('needs exactly one key source, an audience, and a long enough secret', () => {
    assert.match(issues(authConfigSchema, { jwt: [{ issuer: 'i', audience: 'a' }] }), /exactly one of/);
    assert.match(
      issues(authConfigSchema, { jwt: [{ ...jwks, secret: 'x'.repeat(32) }] }),
      /exactly one of jwks_url, jwks_file, secret/,
    );
    assert.match(
      issues(authConfigSchema, { jwt: [{ issuer: 'i', jwks_url: 'https://x' }] }),
      /jwt\.0\.audience/,
    );
    assert.match(
      issues(authConfigSchema, { jwt: [{ issuer: 'i', audience: 'a', secret: 'short' }] }),
      /secret/,
    );
  });

  it('refuses unknown keys and duplicate issuers', () => {
    assert.match(issues(authConfigSchema, { jwt: [{ ...jwks, jwks: 'x' }] }), /jwt\.0\.jwks: unknown key/);
    assert.match(issues(authConfigSchema, { anonymus: 'allow' }), /anonymus: unknown key/);
    assert.match(issues(authConfigSchema, { jwt: [jwks, jwks] }), /jwt\.1\.issuer: duplicate issuer/);
  });
});

describe('teams config schema', () => {
  const team = (keys: unknown[]) => ({ models: ['*'], apps: { web: { keys } } });

  it('parses the documented shape, lower-casing hashes', () => {
    const teams = teamsSchema.parse({
      acme: {
        models: ['gpt-4o*'],
        apps: {
          web: { models: ['gpt-4o-mini'], keys: [{ id: 'k1', sha256: HEX.toUpperCase(), roles: ['admin'] }] },
        },
      },
    });
    assert.equal(teams['acme']!.apps['web']!.keys[0]!.sha256, HEX);
    assert.deepEqual(teams['acme']!.roles, []);
    assert.deepEqual(teamsSchema.parse(undefined), {});
  });

  it('refuses a team without models, bad hashes, bad dates, duplicates', () => {
    assert.match(issues(teamsSchema, { acme: { apps: {} } }), /acme\.models/);
    assert.match(issues(teamsSchema, { acme: team([{ id: 'k', sha256: 'abc' }]) }), /sha256: must be 64 hex/);
    assert.match(
      issues(teamsSchema, { acme: team([{ id: 'k', sha256: HEX, expires_at: 'next year' }]) }),
      /keys\.0\.expires_at/,
    );
    assert.match(
      issues(teamsSchema, {
        acme: team([
          { id: 'k', sha256: HEX },
          { id: 'k', sha256: 'cd'.repeat(32) },
        ]),
      }),
      /keys\.1\.id: duplicate key id "k"/,
    );
    assert.match(
      issues(teamsSchema, { a: team([{ id: 'k1', sha256: HEX }]), b: team([{ id: 'k2', sha256: HEX }]) }),
      /b\.apps\.web\.keys\.0\.sha256: same key hash as a\.apps\.web key "k1"/,
    );
    assert.match(issues(teamsSchema, { acme: { ...team([]), owner: 'x' } }), /acme\.owner: unknown key/);
  });
});
