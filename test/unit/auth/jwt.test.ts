// JWT bearer tokens: RS256/ES256 through a JWKS served over real HTTP (and cached), HS256 through a secret,
// every time and audience check, and the classic attacks: `alg: none`, HS/RS confusion, unknown kid.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompactSign,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { startScriptedServer, sendJson, type ScriptedServer } from '../../support/scripted-server.js';
import { acmeTeams, authenticator, clock, never, rejectsWith, T0 } from './support.js';

const ISSUER = 'https://idp.test';
const HS_ISSUER = 'https://hs.test';
const HS_SECRET = 'an-hs256-shared-secret-of-32-chars-or-more';
const NOW_S = Math.floor(T0 / 1000);

interface Keys {
  rsa: CryptoKey;
  ec: CryptoKey;
  /** A key the JWKS does not publish. */
  stranger: CryptoKey;
  rsaPublicPem: string;
  /** Two RSA keys without kid, for tokens that must be tried against each. */
  spareA: CryptoKey;
  spareB: CryptoKey;
}

let server: ScriptedServer;
let keys: Keys;
let tmp: string;
let jwks: { keys: JWK[] };

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** /flaky.json serves the JWKS until a test takes it down. */
const flaky = { down: false };
/** /rotating.json serves whatever keys a test puts here (the provider's current set). */
const rotating: { keys: JWK[] } = { keys: [] };
const fetchesOf = (path: string) => server.requests.filter((r) => r.path === path).length;

async function sign(
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string },
  claims: JWTPayload = {},
  times: { exp?: number | null; nbf?: number } = {},
): Promise<string> {
  const jwt = new SignJWT({ team: 'acme', app: 'web', sub: 'user-1', ...claims })
    .setProtectedHeader(header)
    .setIssuedAt(NOW_S)
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setAudience(claims.aud ?? 'ai-gateway');
  if (times.exp !== null) jwt.setExpirationTime(times.exp ?? NOW_S + 300);
  if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
  return jwt.sign(key);
}

const rsToken = (claims: JWTPayload = {}, times: { exp?: number | null; nbf?: number } = {}) =>
  sign(keys.rsa, { alg: 'RS256', kid: 'rs1' }, claims, times);

function rsIssuer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    audience: ['ai-gateway', 'other'],
    jwks_url: `${server.url}/jwks.json`,
    algorithms: ['RS256', 'ES256'],
    clock_skew_s: 30,
    claims: { team: 'team', app: 'app', user: 'sub', roles: 'realm_access.roles' },
    ...overrides,
  };
}

const hsIssuer = { issuer: HS_ISSUER, audience: 'ai-gateway', secret: HS_SECRET };

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

before(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const stranger = await generateKeyPair('RS256');
  const spareA = await generateKeyPair('RS256');
  const spareB = await generateKeyPair('RS256');
  keys = {
    rsa: rsa.privateKey,
    ec: ec.privateKey,
    stranger: stranger.privateKey,
    rsaPublicPem: await exportSPKI(rsa.publicKey),
    spareA: spareA.privateKey,
    spareB: spareB.privateKey,
  };
  jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rs1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec1', alg: 'ES256', use: 'sig' },
    ],
  };
  const spares = { keys: [await exportJWK(spareA.publicKey), await exportJWK(spareB.publicKey)] };
  server = await startScriptedServer((request, res) => {
    if (request.path === '/jwks.json') sendJson(res, 200, jwks);
    else if (request.path === '/spares.json') sendJson(res, 200, spares);
    else if (request.path === '/flaky.json') sendJson(res, flaky.down ? 503 : 200, flaky.down ? {} : jwks);
    else if (request.path === '/rotating.json') sendJson(res, 200, rotating);
    else sendJson(res, 500, { error: 'down' });
  });
  tmp = await mkdtemp(join(tmpdir(), 'auth-jwks-'));
});

after(async () => {
  await server.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('JWT: valid tokens', () => {
  it('RS256 through the JWKS URL, with claims mapped (dotted path for roles)', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({ realm_access: { roles: ['admin', 'reader'] } });
    const identity = await auth.authenticate(bearer(token), undefined, never);
    assert.equal(identity.method, 'jwt');
    assert.equal(identity.team, 'acme');
    assert.equal(identity.app, 'web');
    assert.equal(identity.user, 'user-1');
    assert.equal(identity.keyId, null);
    assert.deepEqual(identity.roles, ['admin', 'reader']);
    // The configured app's list applies to a token naming it.
    assert.equal(identity.allowedModels.matches('gpt-4o-mini'), true);
    assert.equal(identity.allowedModels.matches('gpt-4o'), false);
  });

  it('team, app and user claims lose control characters and are cut to 256 characters', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({
      team: `evil\u0007\r\nX-Injected: 1\u001b[31m${'T'.repeat(3000)}`,
      app: 'a\u0000pp',
      sub: 'u\u0085ser',
    });
    const identity = await auth.authenticate(bearer(token), undefined, never);
    assert.equal(identity.team, `evil???X-Injected: 1?[31m${'T'.repeat(256 - 25)}`);
    assert.equal(identity.app, 'a?pp');
    assert.equal(identity.user, 'u?ser');
  });

  it('ES256 through the same JWKS', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await sign(keys.ec, { alg: 'ES256', kid: 'ec1' }, { app: 'batch' });
    const identity = await auth.authenticate(bearer(token), undefined, never);
    assert.equal(identity.app, 'batch');
    assert.equal(identity.allowedModels.matches('claude-3'), true);
  });

  it('HS256 through a shared secret', async () => {
    const auth = authenticator({ jwt: [hsIssuer] }, acmeTeams());
    const token = await sign(new TextEncoder().encode(HS_SECRET), { alg: 'HS256' }, { iss: HS_ISSUER });
    assert.equal((await auth.authenticate(bearer(token), undefined, never)).team, 'acme');
  });

  it('a JWKS file instead of a URL', async () => {
    const path = join(tmp, 'jwks.json');
    await writeFile(path, JSON.stringify(jwks));
    const issuer = rsIssuer({ jwks_url: undefined, jwks_file: path });
    const auth = authenticator({ jwt: [issuer] }, acmeTeams());
    assert.equal((await auth.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    assert.throws(
      () => authenticator({ jwt: [{ ...issuer, jwks_file: join(tmp, 'missing.json') }] }, {}),
      /jwks_file/,
    );
  });

  it('the JWKS is fetched once and then served from the cache', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const before = fetchesOf('/jwks.json');
    for (let i = 0; i < 5; i++) await auth.authenticate(bearer(await rsToken()), undefined, never);
    assert.equal(fetchesOf('/jwks.json') - before, 1);
  });

  it('a token without kid is tried against each matching key', async () => {
    const auth = authenticator({ jwt: [rsIssuer({ jwks_url: `${server.url}/spares.json` })] }, acmeTeams());
    const token = await sign(keys.spareB, { alg: 'RS256' });
    assert.equal((await auth.authenticate(bearer(token), undefined, never)).team, 'acme');
    await rejectsWith(
      auth.authenticate(bearer(await sign(keys.stranger, { alg: 'RS256' })), undefined, never),
      401,
      /signature is invalid/,
    );
  });
});

describe('JWT: time and audience checks', () => {
  it('an expired token is a 401', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({}, { exp: NOW_S - 3600 });
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /^JWT has expired\.$/);
  });

  it('a token whose nbf is in the future is a 401', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({}, { nbf: NOW_S + 600 });
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not valid yet/);
  });

  it('a token whose nbf or exp is not a number is a 401 saying so, not "in the future" or "expired"', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    for (const claim of ['nbf', 'exp'] as const) {
      // In the payload itself (the signer's setters take numbers); exp's setter is switched off for it.
      const payload = { [claim]: 'tomorrow' } as unknown as JWTPayload;
      const token = await rsToken(payload, claim === 'exp' ? { exp: null } : {});
      await rejectsWith(
        auth.authenticate(bearer(token), undefined, never),
        401,
        new RegExp(`^JWT has an invalid ${claim} claim \\(it must be a number\\)\\.$`),
      );
    }
  });

  it('clock skew is honoured on both exp and nbf, and no further', async () => {
    const time = clock();
    const auth = authenticator({ jwt: [rsIssuer({ clock_skew_s: 30 })] }, acmeTeams(), { now: time.read });
    const expired20s = await rsToken({}, { exp: NOW_S - 20 });
    const early20s = await rsToken({}, { nbf: NOW_S + 20 });
    assert.equal((await auth.authenticate(bearer(expired20s), undefined, never)).team, 'acme');
    assert.equal((await auth.authenticate(bearer(early20s), undefined, never)).team, 'acme');
    time.now += 15_000;
    await rejectsWith(auth.authenticate(bearer(expired20s), undefined, never), 401, /expired/);
  });

  it('a token without exp is a 401', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({}, { exp: null });
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /no valid exp/);
  });

  it('a wrong audience is a 401 naming the issuer', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({ aud: 'billing-service' });
    await rejectsWith(
      auth.authenticate(bearer(token), undefined, never),
      401,
      /^JWT audience is not accepted by issuer 'https:\/\/idp\.test'\.$/,
    );
    // Any one of the configured audiences is enough.
    assert.equal(
      (await auth.authenticate(bearer(await rsToken({ aud: ['x', 'other'] })), undefined, never)).app,
      'web',
    );
  });

  it('an unconfigured issuer is a 401, even when signed by a trusted key', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await rsToken({ iss: 'https://evil.test' });
    await rejectsWith(
      auth.authenticate(bearer(token), undefined, never),
      401,
      /^JWT issuer 'https:\/\/evil\.test' is not trusted\.$/,
    );
  });
});

describe('JWT: attacks', () => {
  it('alg: none is refused, whatever the issuer', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const payload = { iss: ISSUER, aud: 'ai-gateway', team: 'acme', sub: 'x', exp: NOW_S + 300 };
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${base64urlJson({ alg, typ: 'JWT' })}.${base64urlJson(payload)}.`;
      await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /algorithm 'none'/);
    }
    // A forged signature part does not help either.
    const forged = `${base64urlJson({ alg: 'none' })}.${base64urlJson(payload)}.c2ln`;
    await rejectsWith(auth.authenticate(bearer(forged), undefined, never), 401, /'none'/);
  });

  it('HS/RS confusion: an HS256 token keyed with the RSA public key is refused', async () => {
    const secret = new TextEncoder().encode(keys.rsaPublicPem);
    const token = await sign(secret, { alg: 'HS256', kid: 'rs1' });
    for (const issuer of [rsIssuer(), rsIssuer({ algorithms: undefined })]) {
      const auth = authenticator({ jwt: [issuer] }, acmeTeams());
      await rejectsWith(
        auth.authenticate(bearer(token), undefined, never),
        401,
        /^JWT algorithm 'HS256' is not allowed for issuer 'https:\/\/idp\.test'\.$/,
      );
    }
  });

  it('an algorithm outside the issuer’s list is refused even with a published key', async () => {
    const auth = authenticator({ jwt: [rsIssuer({ algorithms: ['RS256'] })] }, acmeTeams());
    const token = await sign(keys.ec, { alg: 'ES256', kid: 'ec1' });
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /'ES256' is not allowed/);
  });

  it('an unknown kid triggers a JWKS refetch (after the cooldown), then a 401', async () => {
    const auth = authenticator({ jwt: [rsIssuer({ jwks_cooldown_s: 0 })] }, acmeTeams());
    const start = fetchesOf('/jwks.json');
    await auth.authenticate(bearer(await rsToken()), undefined, never);
    assert.equal(fetchesOf('/jwks.json') - start, 1);
    const token = await sign(keys.stranger, { alg: 'RS256', kid: 'rotated-in' });
    await rejectsWith(
      auth.authenticate(bearer(token), undefined, never),
      401,
      /^JWT signing key \(kid 'rotated-in', alg 'RS256'\) is not in the key set of issuer 'https:\/\/idp\.test': no key there has that kid for that algorithm\.$/,
    );
    assert.equal(fetchesOf('/jwks.json') - start, 2);
  });

  it('within the cooldown an unknown kid does not refetch (no fetch amplification)', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const start = fetchesOf('/jwks.json');
    await auth.authenticate(bearer(await rsToken()), undefined, never);
    const token = await sign(keys.stranger, { alg: 'RS256', kid: 'rotated-in' });
    for (let i = 0; i < 3; i++)
      await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /kid/);
    assert.equal(fetchesOf('/jwks.json') - start, 1);
  });

  it('a kid that is not a string (any JSON, from an unsigned header) is a 401, not a 500', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const payload = { iss: 'https://idp.test', aud: 'gateway' };
    for (const kid of [123, { a: 1 }, ['k1'], null]) {
      const token = `${base64urlJson({ alg: 'RS256', kid })}.${base64urlJson(payload)}.AAAA`;
      await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /./);
    }
  });

  it('a critical header parameter the gateway does not implement is named as such', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const payload = new TextEncoder().encode(
      JSON.stringify({ iss: ISSUER, aud: 'ai-gateway', sub: 'u', exp: NOW_S + 300, iat: NOW_S }),
    );
    const token = await new CompactSign(payload)
      .setProtectedHeader({ alg: 'RS256', kid: 'rs1', crit: ['x-policy'], 'x-policy': 1 })
      .sign(keys.rsa, { crit: { 'x-policy': true } });
    await rejectsWith(
      auth.authenticate(bearer(token), undefined, never),
      401,
      /^JWT has a critical header parameter \(crit\) the gateway does not implement\.$/,
    );
  });

  it('a known kid with a signature by another key is a 401', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const token = await sign(keys.stranger, { alg: 'RS256', kid: 'rs1' });
    await rejectsWith(
      auth.authenticate(bearer(token), undefined, never),
      401,
      /^JWT signature is invalid\.$/,
    );
  });

  it('an unreachable JWKS is a 401 naming the issuer', async () => {
    const auth = authenticator({ jwt: [rsIssuer({ jwks_url: `${server.url}/down.json` })] }, acmeTeams());
    await rejectsWith(
      auth.authenticate(bearer(await rsToken()), undefined, never),
      401,
      /Could not obtain the signing keys of issuer 'https:\/\/idp\.test'/,
    );
  });
});

/** A token signed by a key the JWKS does not publish, under `kid`: a 401 naming the key set. */
async function refusesUnknownKid(auth: ReturnType<typeof authenticator>, kid: string): Promise<void> {
  const token = await sign(keys.stranger, { alg: 'RS256', kid });
  await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not in the key set/);
}

describe('JWT: JWKS outages', () => {
  it('fetched keys keep serving past their cache age while the URL is down; a failing URL is asked once per cooldown', async () => {
    const time = clock();
    flaky.down = false;
    const issuer = rsIssuer({ jwks_url: `${server.url}/flaky.json`, jwks_cache_s: 60, jwks_cooldown_s: 10 });
    const auth = authenticator({ jwt: [issuer] }, acmeTeams(), { now: time.read });
    assert.equal((await auth.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    flaky.down = true;
    try {
      // Stale now: a background refresh is tried (and fails); the keys it has keep serving.
      time.now += 70_000;
      const before = fetchesOf('/flaky.json');
      for (let i = 0; i < 3; i++)
        assert.equal((await auth.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
      // Unknown kids while the URL fails: no fetch each, one per cooldown.
      for (let i = 0; i < 5; i++) await refusesUnknownKid(auth, `rotated-${i}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(fetchesOf('/flaky.json') - before, 1);
      time.now += 11_000;
      await refusesUnknownKid(auth, 'later');
      assert.equal(fetchesOf('/flaky.json') - before, 2);
    } finally {
      flaky.down = false;
    }
  });
});

describe('JWT: JWKS across config reloads', () => {
  it('an authenticator built anew (a reload) keeps the keys already fetched, and failed fetches are reported', async () => {
    const time = clock();
    const jwksSets = new Map();
    const failures: string[] = [];
    const deps = { now: time.read, jwksSets, onJwksFetchFailed: (url: string) => failures.push(url) };
    flaky.down = false;
    const issuer = rsIssuer({ jwks_url: `${server.url}/flaky.json`, jwks_cache_s: 60, jwks_cooldown_s: 10 });
    const first = authenticator({ jwt: [issuer] }, acmeTeams(), deps);
    assert.equal((await first.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    flaky.down = true;
    try {
      // The reload re-reads the set (and fails: reported); the keys it has keep serving.
      const reloaded = authenticator({ jwt: [issuer] }, acmeTeams(), deps);
      assert.equal((await reloaded.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
      await until(() => failures.length === 1);
      // A new kid while the URL is down (past the cooldown): one more fetch, reported.
      time.now += 11_000;
      await refusesUnknownKid(reloaded, 'new');
      assert.deepEqual(failures, [`${server.url}/flaky.json`, `${server.url}/flaky.json`]);
    } finally {
      flaky.down = false;
    }
  });
});

describe('JWT: a reload re-reads remote key sets', () => {
  it('a key the provider withdrew is refused once the reload has re-read the set, not after the cache age', async () => {
    const time = clock();
    const deps = { now: time.read, jwksSets: new Map() };
    rotating.keys = jwks.keys;
    const url = `${server.url}/rotating.json`;
    // Two issuers on the same set (one fetch per reload, not one per issuer).
    const issuers = [
      rsIssuer({ jwks_url: url, jwks_cache_s: 600, jwks_cooldown_s: 30 }),
      rsIssuer({ issuer: 'https://idp2.test', jwks_url: url, jwks_cache_s: 600, jwks_cooldown_s: 30 }),
    ];
    const first = authenticator({ jwt: issuers }, acmeTeams(), deps);
    assert.equal((await first.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    assert.equal(fetchesOf('/rotating.json'), 1);
    rotating.keys = jwks.keys.filter((key) => key.kid !== 'rs1');
    // Without a reload the cached set still has the key (cache age 600 s, cooldown 30 s).
    time.now += 5_000;
    assert.equal((await first.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    assert.equal(fetchesOf('/rotating.json'), 1);

    const reloaded = authenticator({ jwt: issuers }, acmeTeams(), deps);
    await until(() => fetchesOf('/rotating.json') === 2);
    // The fetch is answered; the set is replaced as soon as its body is read.
    let refused: Error | undefined;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      refused = await reloaded.authenticate(bearer(await rsToken()), undefined, never).then(
        () => undefined,
        (error: Error) => error,
      );
      if (refused === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused !== undefined, 'the withdrawn key was still accepted after the reload');
    await rejectsWith(
      reloaded.authenticate(bearer(await rsToken()), undefined, never),
      401,
      /not in the key set/,
    );
    // The key that is still published keeps working; one fetch for the two issuers.
    const ec = await sign(keys.ec, { alg: 'ES256', kid: 'ec1' });
    assert.equal((await reloaded.authenticate(bearer(ec), undefined, never)).user, 'user-1');
    assert.equal(fetchesOf('/rotating.json'), 2);
  });
});

describe('JWT: a refused reload leaves the remote key sets alone', () => {
  it('a config built but not applied fetches nothing and keeps no set; the applied one re-reads', async () => {
    const time = clock();
    const jwksSets = new Map();
    const deps = { now: time.read, jwksSets };
    rotating.keys = jwks.keys;
    const url = `${server.url}/rotating.json`;
    const issuer = rsIssuer({ jwks_url: url, jwks_cache_s: 600, jwks_cooldown_s: 30 });
    const live = authenticator({ jwt: [issuer] }, acmeTeams(), deps);
    assert.equal((await live.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    const fetched = fetchesOf('/rotating.json');
    const kept = [...jwksSets.entries()];
    assert.equal(kept.length, 1);

    // Two reloads the gateway refuses after building them (e.g. a later issuer's JWKS file is broken): the
    // same URL, and a new one next to it.
    authenticator({ jwt: [issuer] }, acmeTeams(), deps, { activate: false });
    const other = rsIssuer({ issuer: 'https://idp2.test', jwks_url: `${url}?v=2` });
    authenticator({ jwt: [issuer, other] }, acmeTeams(), deps, { activate: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fetchesOf('/rotating.json'), fetched, 'a refused reload re-read the set');
    assert.deepEqual([...jwksSets.entries()], kept, 'a refused reload changed the kept sets');

    // The live config still serves from the set it has.
    assert.equal((await live.authenticate(bearer(await rsToken()), undefined, never)).user, 'user-1');
    assert.equal(fetchesOf('/rotating.json'), fetched);

    // Applied: the set it took over is re-read; the new one is kept for the next reload.
    authenticator({ jwt: [issuer, other] }, acmeTeams(), deps);
    await until(() => fetchesOf('/rotating.json') === fetched + 1);
    assert.equal(jwksSets.size, 2);
    assert.equal(jwksSets.get(kept[0]![0]), kept[0]![1], 'the set with its fetched keys carries over');
    // A config without the first issuer forgets its set.
    authenticator({ jwt: [other] }, acmeTeams(), deps);
    assert.deepEqual([...jwksSets.keys()], [`${url}?v=2 600 30`]);
  });
});

/** Waits (≤ 2 s) until `done()`: a background fetch has been made or has failed. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(done(), 'timed out waiting for a background fetch');
}

describe('JWT: claim mapping', () => {
  it('dotted paths, literal dotted names, and space-separated roles', async () => {
    const issuer = rsIssuer({
      claims: { team: 'https://gw.test/team', app: 'client.id', user: 'email', roles: 'scope' },
    });
    const auth = authenticator({ jwt: [issuer] }, acmeTeams());
    const token = await rsToken({
      'https://gw.test/team': 'ops',
      client: { id: 'console' },
      email: 'ann@example.com',
      scope: 'read admin',
    });
    const identity = await auth.authenticate(bearer(token), undefined, never);
    assert.equal(identity.team, 'ops');
    assert.equal(identity.app, 'console');
    assert.equal(identity.user, 'ann@example.com');
    // Team roles are added to the token's.
    assert.deepEqual([...identity.roles].sort(), ['admin', 'operator', 'read']);
  });

  it('a team the config does not know gets the issuer’s models (default: all)', async () => {
    const strict = authenticator({ jwt: [rsIssuer({ models: ['sim-*'] })] }, acmeTeams());
    const token = await rsToken({ team: 'elsewhere', app: 'x' });
    const identity = await strict.authenticate(bearer(token), undefined, never);
    assert.equal(identity.team, 'elsewhere');
    assert.equal(identity.allowedModels.matches('sim-1'), true);
    assert.equal(identity.allowedModels.matches('gpt-4o'), false);
    const open = authenticator({ jwt: [rsIssuer()] }, {});
    assert.equal(
      (await open.authenticate(bearer(token), undefined, never)).allowedModels.matches('gpt-4o'),
      true,
    );
  });

  it('prototype names in claims resolve to nothing', async () => {
    const issuer = rsIssuer({
      claims: { team: '__proto__', app: 'constructor.name', user: 'sub', roles: 'roles' },
    });
    const auth = authenticator({ jwt: [issuer] }, acmeTeams());
    const identity = await auth.authenticate(bearer(await rsToken()), undefined, never);
    assert.equal(identity.team, null);
    assert.equal(identity.app, null);
  });

  it('the token’s user outranks the user header and body; without one they apply', async () => {
    const auth = authenticator({ jwt: [rsIssuer()] }, acmeTeams());
    const withSub = await auth.authenticate(
      { ...bearer(await rsToken()), 'x-gateway-user': 'h' },
      'b',
      never,
    );
    assert.equal(withSub.user, 'user-1');
    const noSub = await rsToken({ sub: undefined });
    assert.equal(
      (await auth.authenticate({ ...bearer(noSub), 'x-gateway-user': 'h' }, 'b', never)).user,
      'h',
    );
  });
});
