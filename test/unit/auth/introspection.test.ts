// RFC 7662 introspection of opaque bearer tokens against a real local endpoint: client authentication,
// active/inactive answers, caching (positive until exp or max_cache_s, negative briefly), shared calls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScriptedServer, sendJson, type ScriptedServer } from '../../support/scripted-server.js';
import { createExpiringLru } from '../../../dataplane/auth/expiring-lru.js';
import { acmeTeams, authenticator, clock, never, rejectsWith, T0 } from './support.js';

const NOW_S = Math.floor(T0 / 1000);
let server: ScriptedServer;
/** Token → the endpoint's answer; tests add their own tokens so hit counts stay separate. */
const answers = new Map<string, Record<string, unknown>>();
let delayMs = 0;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const hitsFor = (token: string) =>
  server.requests.filter((r) => new URLSearchParams(r.rawBody).get('token') === token).length;

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    introspection: {
      url: `${server.url}/introspect`,
      client_id: 'gateway',
      client_secret: 's3cr3t:with space',
      max_cache_s: 300,
      ...overrides,
    },
  };
}

function active(token: string, claims: Record<string, unknown> = {}): string {
  answers.set(token, {
    active: true,
    exp: NOW_S + 3600,
    team: 'acme',
    client_id: 'web',
    sub: 'svc-user',
    scope: 'read admin',
    ...claims,
  });
  return token;
}

before(async () => {
  server = await startScriptedServer(async (request, res) => {
    if (request.path === '/stalls-body') {
      // Headers at once, then a body that never completes.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"active":');
      return;
    }
    if (request.path !== '/introspect') return sendJson(res, 500, { error: 'down' });
    if (delayMs > 0) await sleep(delayMs);
    const token = new URLSearchParams(request.rawBody).get('token') ?? '';
    sendJson(res, 200, answers.get(token) ?? { active: false });
  });
});

after(() => server.close());

describe('introspection', () => {
  it('an active token maps to an identity; the call is a form POST with client Basic auth', async () => {
    const auth = authenticator(config(), acmeTeams());
    const token = active('opaque-active-1');
    const identity = await auth.authenticate(bearer(token), undefined, never);
    assert.equal(identity.method, 'introspection');
    assert.equal(identity.team, 'acme');
    assert.equal(identity.app, 'web');
    assert.equal(identity.user, 'svc-user');
    assert.deepEqual(identity.roles, ['read', 'admin']);
    assert.equal(identity.allowedModels.matches('gpt-4o-mini'), true);
    assert.equal(identity.allowedModels.matches('gpt-4o'), false);
    const request = server.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    const expected = Buffer.from('gateway:s3cr3t%3Awith+space').toString('base64');
    assert.equal(request.headers.authorization, `Basic ${expected}`);
    assert.equal(new URLSearchParams(request.rawBody).get('token_type_hint'), 'access_token');
  });

  it('an active token is cached: the endpoint is hit once', async () => {
    const auth = authenticator(config(), acmeTeams());
    const token = active('opaque-cached');
    for (let i = 0; i < 4; i++)
      assert.equal((await auth.authenticate(bearer(token), undefined, never)).app, 'web');
    assert.equal(hitsFor(token), 1);
  });

  it('concurrent requests with one uncached token share one call', async () => {
    const auth = authenticator(config(), acmeTeams());
    const token = active('opaque-concurrent');
    delayMs = 50;
    try {
      const identities = await Promise.all(
        Array.from({ length: 5 }, () => auth.authenticate(bearer(token), undefined, never)),
      );
      assert.ok(identities.every((identity) => identity.team === 'acme'));
    } finally {
      delayMs = 0;
    }
    assert.equal(hitsFor(token), 1);
  });

  it('an inactive token is a 401, remembered for the negative-cache time', async () => {
    const time = clock();
    const auth = authenticator(config(), acmeTeams(), { now: time.read });
    const token = 'opaque-revoked';
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not active/);
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not active/);
    assert.equal(hitsFor(token), 1);
    time.now += 31_000;
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not active/);
    assert.equal(hitsFor(token), 2);
  });

  it('the token’s exp bounds the cache, and an expired answer is inactive', async () => {
    const time = clock();
    const auth = authenticator(config(), acmeTeams(), { now: time.read });
    const token = active('opaque-short', { exp: NOW_S + 5 });
    assert.equal((await auth.authenticate(bearer(token), undefined, never)).team, 'acme');
    time.now += 4_000;
    assert.equal((await auth.authenticate(bearer(token), undefined, never)).team, 'acme');
    assert.equal(hitsFor(token), 1);
    time.now += 2_000;
    await rejectsWith(auth.authenticate(bearer(token), undefined, never), 401, /not active/);
    assert.equal(hitsFor(token), 2);
  });

  it('max_cache_s bounds the cache of a long-lived token', async () => {
    const time = clock();
    const auth = authenticator(config({ max_cache_s: 60 }), acmeTeams(), { now: time.read });
    const token = active('opaque-long');
    await auth.authenticate(bearer(token), undefined, never);
    time.now += 59_000;
    await auth.authenticate(bearer(token), undefined, never);
    assert.equal(hitsFor(token), 1);
    time.now += 2_000;
    await auth.authenticate(bearer(token), undefined, never);
    assert.equal(hitsFor(token), 2);
  });

  it('an endpoint failure is a 401 that is not cached', async () => {
    const auth = authenticator(config({ url: `${server.url}/broken` }), acmeTeams());
    await rejectsWith(auth.authenticate(bearer('opaque-x'), undefined, never), 401, /answered HTTP 500/);
    await rejectsWith(auth.authenticate(bearer('opaque-x'), undefined, never), 401, /answered HTTP 500/);
    assert.equal(server.requests.filter((r) => r.path === '/broken').length, 2);
    const unreachable = authenticator(config({ url: 'http://127.0.0.1:9/introspect' }), acmeTeams());
    await rejectsWith(unreachable.authenticate(bearer('opaque-x'), undefined, never), 401, /unreachable/);
    // The timeout covers the body: a stalled answer is said to be late, not malformed.
    const stalled = authenticator(config({ url: `${server.url}/stalls-body`, timeout_ms: 200 }), acmeTeams());
    await rejectsWith(
      stalled.authenticate(bearer('opaque-y'), undefined, never),
      401,
      /did not answer in time/,
    );
  });

  it('API keys win; gw- keys and x-api-key values are never sent to the IdP', async () => {
    const auth = authenticator(config(), acmeTeams());
    const before = server.requests.length;
    await rejectsWith(auth.authenticate(bearer('gw-unknown-key'), undefined, never), 401, /Invalid API key/);
    await rejectsWith(
      auth.authenticate({ 'x-api-key': 'opaque-y' }, undefined, never),
      401,
      /Invalid API key/,
    );
    assert.equal(server.requests.length, before);
  });

  it('a JWT of an issuer without a jwt entry falls back to introspection', async () => {
    const auth = authenticator(config(), acmeTeams());
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const token = active(`${part({ alg: 'RS256' })}.${part({ iss: 'https://other.test' })}.c2ln`);
    assert.equal((await auth.authenticate(bearer(token), undefined, never)).method, 'introspection');
  });

  it('a caller that goes away stops waiting without failing the shared call', async () => {
    const auth = authenticator(config(), acmeTeams());
    const token = active('opaque-abort');
    delayMs = 100;
    try {
      const controller = new AbortController();
      const gone = auth.authenticate(bearer(token), undefined, controller.signal);
      const stays = auth.authenticate(bearer(token), undefined, never);
      controller.abort();
      await assert.rejects(gone, { name: 'AbortError' });
      assert.equal((await stays).team, 'acme');
    } finally {
      delayMs = 0;
    }
  });
});

describe('expiring LRU', () => {
  it('drops the least recently used entry beyond its bound, and expired entries', () => {
    const lru = createExpiringLru<number>(2);
    lru.set('a', 1, 100);
    lru.set('b', 2, 100);
    assert.equal(lru.get('a', 0), 1);
    lru.set('c', 3, 100);
    assert.equal(lru.get('b', 0), undefined);
    assert.equal(lru.get('a', 0), 1);
    assert.equal(lru.get('c', 0), 3);
    assert.equal(lru.get('c', 100), undefined);
    assert.equal(lru.size, 1);
  });
});
