// Authentication through a real gateway (native uWS on port 0), where test/unit/auth only drives the
// authenticator object: JWTs against a live JWKS server (valid, expired, wrong audience, alg none, HS/RS
// confusion, unknown kid), RFC 7662 introspection against a live endpoint, the body's `user` field as the end
// user (observable as a per-user rate limit and in /admin/usage), API keys added, rotated and removed by a
// config reload, and POST /v1/analyze requiring a key once identities exist (issue 4). What these add over the
// unit tests is the wiring: the header reaches the authenticator, its error becomes an OpenAI-shaped 401, the
// identity reaches limits and usage, and a reload swaps the authenticator the next request uses.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { parseConfig } from '../../dataplane/config/load.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

interface BudgetsBody {
  identity: { team: string | null; app: string | null; user: string | null; key_id: string | null } | null;
}

// Only the simulator answers: no network beyond the test's own servers. One worker thread per gateway keeps
// the analysis pool small on a shared machine.
const SIMULATOR = {
  workers: { threads: 1 },
  providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
  models: { 'sim-a': { provider: 'simulator' } },
};

function chat(gateway: TestGateway, headers: Record<string, string>, body: Record<string, unknown> = {}) {
  return gateway.post(
    '/v1/chat/completions',
    { model: 'sim-a', messages: [{ role: 'user', content: 'Hello there' }], ...body },
    headers,
  );
}

/** Reads a 401 and checks it has the OpenAI error shape with the authentication code and type. */
async function expect401(response: Response, message: RegExp): Promise<void> {
  assert.equal(response.status, 401);
  const body = (await response.json()) as ErrorBody;
  assert.equal(body.error.code, 'unauthorized');
  assert.equal(body.error.type, 'authentication_error');
  assert.equal(typeof body.error.message, 'string');
  assert.match(body.error.message, message);
}

/** Consumes a 200 (so the connection is reusable) and returns its JSON. */
async function expect200<T = unknown>(response: Response): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text) as T;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): void {
  server.closeAllConnections();
  server.close();
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT through the gateway (RS256 issuer, JWKS served over HTTP)', () => {
  const ISSUER = 'https://idp.test';
  let idp: Server;
  let gateway: TestGateway;
  let signingKey: CryptoKey;
  let publicKeyPem: string;
  let stranger: CryptoKey;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    publicKeyPem = await exportSPKI(pair.publicKey);
    stranger = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    idp = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    const url = await listen(idp);
    gateway = await startTestGateway({
      ...SIMULATOR,
      analysis: { enabled: false },
      // No `algorithms`: the default list (every public-key algorithm) is what the HS/RS confusion targets.
      auth: { jwt: [{ issuer: ISSUER, audience: 'gw', jwks_url: `${url}/jwks.json` }] },
      teams: { acme: { models: ['*'], apps: { web: { keys: [] } } } },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    close(idp);
  });

  /** A token of the trusted issuer; `overrides` changes one ingredient per test. */
  function token(
    overrides: { key?: CryptoKey | Uint8Array; alg?: string; kid?: string; aud?: string; exp?: number } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ team: 'acme', app: 'web', sub: 'ann' })
      .setProtectedHeader({ alg: overrides.alg ?? 'RS256', kid: overrides.kid ?? 'k1' })
      .setIssuer(ISSUER)
      .setAudience(overrides.aud ?? 'gw')
      .setIssuedAt(now - 600)
      .setExpirationTime(overrides.exp ?? now + 300)
      .sign(overrides.key ?? signingKey);
  }

  it('a valid RS256 token is served (200), and its claims become the identity', async () => {
    const jwt = await token();
    const completion = await expect200<{ object: string }>(await chat(gateway, bearer(jwt)));
    assert.equal(completion.object, 'chat.completion');
    // The mapped claims (team, app, sub → user) are what the gateway acts on, not just "a signature held".
    const budgets = await expect200<BudgetsBody>(
      await fetch(`${gateway.url}/v1/budgets`, { headers: bearer(jwt) }),
    );
    assert.deepEqual(budgets.identity, { team: 'acme', app: 'web', user: 'ann', key_id: null });
  });

  it('an expired token is a 401 saying it expired', async () => {
    // Five minutes past exp: well beyond the default 30 s clock skew.
    const jwt = await token({ exp: Math.floor(Date.now() / 1000) - 300 });
    await expect401(await chat(gateway, bearer(jwt)), /^JWT has expired\.$/);
  });

  it('a token minted for another audience is a 401 naming the issuer', async () => {
    const jwt = await token({ aud: 'some-other-service' });
    await expect401(
      await chat(gateway, bearer(jwt)),
      /^JWT audience is not accepted by issuer 'https:\/\/idp\.test'\.$/,
    );
  });

  it('an unsigned token (alg: none) is a 401, whatever the case of "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: ISSUER, aud: 'gw', exp: now + 300, team: 'acme', app: 'web', sub: 'ann' };
    for (const alg of ['none', 'NONE']) {
      // An empty signature part: the shape an attacker sends, which must still be recognised as a JWT.
      const unsigned = `${base64urlJson({ alg, typ: 'JWT' })}.${base64urlJson(payload)}.`;
      await expect401(await chat(gateway, bearer(unsigned)), /algorithm 'none' \(unsigned tokens\)/);
    }
  });

  it('HS/RS confusion: an HS256 token keyed with the RSA public key is a 401 naming the algorithm', async () => {
    // The classic attack: a verifier that takes `alg` from the token would HMAC-verify with the public key,
    // which the attacker knows. The issuer's list has only public-key algorithms, so HS256 is refused.
    const jwt = await token({ alg: 'HS256', key: new TextEncoder().encode(publicKeyPem) });
    await expect401(
      await chat(gateway, bearer(jwt)),
      /^JWT algorithm 'HS256' is not allowed for issuer 'https:\/\/idp\.test'\.$/,
    );
  });

  it('a token whose kid is not in the JWKS is a 401 naming the kid', async () => {
    const jwt = await token({ key: stranger, kid: 'k9' });
    await expect401(
      await chat(gateway, bearer(jwt)),
      /^JWT signing key \(kid 'k9', alg 'RS256'\) is not in the key set of issuer 'https:\/\/idp\.test': no key there has that kid for that algorithm\.$/,
    );
  });

  it('a token signed by another key under the published kid is a 401 (signature invalid)', async () => {
    // The kid alone proves nothing: the signature is checked against the published key.
    const jwt = await token({ key: stranger, kid: 'k1' });
    await expect401(await chat(gateway, bearer(jwt)), /^JWT signature is invalid\.$/);
  });
});

describe('RFC 7662 introspection through the gateway', () => {
  let endpoint: Server;
  let gateway: TestGateway;
  const calls: { authorization: string | undefined; form: URLSearchParams }[] = [];

  const readBody = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text;
  };

  before(async () => {
    endpoint = createServer((req, res) => {
      void readBody(req).then((text) => {
        const form = new URLSearchParams(text);
        calls.push({ authorization: req.headers.authorization, form });
        const exp = Math.floor(Date.now() / 1000) + 300;
        const answer =
          form.get('token') === 'opaque-active'
            ? { active: true, team: 'acme', client_id: 'web', sub: 'ivy', exp }
            : { active: false };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    const url = await listen(endpoint);
    gateway = await startTestGateway({
      ...SIMULATOR,
      analysis: { enabled: false },
      auth: {
        introspection: { url: `${url}/introspect`, client_id: 'gateway', client_secret: 's3cret' },
      },
      teams: { acme: { models: ['*'], apps: { web: { keys: [] } } } },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    close(endpoint);
  });

  it('an active opaque token is served (200) as the identity the endpoint describes', async () => {
    const completion = await expect200<{ object: string }>(await chat(gateway, bearer('opaque-active')));
    assert.equal(completion.object, 'chat.completion');
    const first = calls.find((c) => c.form.get('token') === 'opaque-active');
    assert.ok(first, 'the endpoint was asked about the token');
    // RFC 7662 §2.1: a form POST with the hint, the gateway authenticated as a client with HTTP Basic.
    assert.equal(first.form.get('token_type_hint'), 'access_token');
    assert.equal(first.authorization, `Basic ${Buffer.from('gateway:s3cret').toString('base64')}`);
    // Default claim mapping for introspection: app from client_id.
    const budgets = await expect200<BudgetsBody>(
      await fetch(`${gateway.url}/v1/budgets`, { headers: bearer('opaque-active') }),
    );
    assert.deepEqual(budgets.identity, { team: 'acme', app: 'web', user: 'ivy', key_id: null });
    // The answer is cached for the token's lifetime: the two requests asked the endpoint once.
    assert.equal(calls.filter((c) => c.form.get('token') === 'opaque-active').length, 1);
  });

  it('an inactive token is a 401 saying it is not active', async () => {
    await expect401(await chat(gateway, bearer('opaque-revoked')), /^Token is not active \(expired, revoked/);
    assert.ok(calls.some((c) => c.form.get('token') === 'opaque-revoked'));
  });

  it('a gw- key that is not configured is a 401 and is never sent to the identity provider', async () => {
    const before = calls.length;
    await expect401(await chat(gateway, bearer('gw-not-a-configured-key')), /^Invalid API key\.$/);
    assert.equal(calls.length, before);
  });
});

describe("the body's user field as the end user", () => {
  let gateway: TestGateway;
  const web = newKey();
  const admin = newKey();

  before(async () => {
    gateway = await startTestGateway({
      ...SIMULATOR,
      analysis: { enabled: false },
      limits: { timezone: 'UTC' },
      teams: {
        acme: {
          models: ['*'],
          // One request per minute per end user: the user a request counts as becomes visible as a 429.
          apps: {
            web: {
              keys: [{ id: 'web-1', sha256: web.sha256 }],
              user_limits: { rpm: 1, tokens: { day: 1_000_000 } },
            },
          },
        },
        ops: {
          models: ['*'],
          roles: ['admin'],
          apps: { console: { keys: [{ id: 'ops-1', sha256: admin.sha256 }] } },
        },
      },
    });
  });
  after(() => gateway.shutdown(0));

  it("limits apply per body user: alice's second request is a 429 naming her, bob is served", async () => {
    await expect200(await chat(gateway, bearer(web.key), { user: 'alice' }));
    const refused = await chat(gateway, bearer(web.key), { user: 'alice' });
    assert.equal(refused.status, 429);
    const body = (await refused.json()) as ErrorBody;
    assert.equal(body.error.code, 'rate_limited');
    assert.match(
      body.error.message,
      /^Rate limit reached for user 'alice' of app 'web' \(team 'acme'\): 1 requests per minute\./,
    );
    // Another end user of the same key has a window of its own.
    await expect200(await chat(gateway, bearer(web.key), { user: 'bob' }));
  });

  it('the user header outranks the body field (docs/auth.md "The end user")', async () => {
    // alice is out of requests for this minute; the header names carol, so the request counts as carol's.
    await expect200(
      await chat(gateway, { ...bearer(web.key), 'x-gateway-user': 'carol' }, { user: 'alice' }),
    );
  });

  it("/admin/usage reports the body user's token use", async () => {
    type Usage = { data: { scope: string; period: string; used: number; reserved: number }[] };
    // Usage is reconciled after the answer is sent: poll until it has landed rather than race it.
    const row = await waitFor(async () => {
      const report = await expect200<Usage>(
        await fetch(`${gateway.url}/admin/usage?team=acme&app=web&user=alice`, {
          headers: bearer(admin.key),
        }),
      );
      return report.data.find(
        (r) => r.scope === 'user:acme/web/alice' && r.period === 'day' && r.used > 0 && r.reserved === 0,
      );
    }, "alice's day usage");
    // Exactly alice's one admitted request is counted: the refused one left nothing behind.
    const record = gateway.records.find((r) => r.user === 'alice' && r.status === 200);
    assert.ok(record, "the record of alice's request names her");
    assert.equal(row.used, record.prompt_tokens + record.completion_tokens);
  });
});

describe('API keys hot-reloaded through the gateway', () => {
  let gateway: TestGateway;
  const first = newKey();
  const added = newKey();
  const rotatedIn = newKey();

  /** The config with team acme, app web holding exactly `keys`. */
  type KeyEntry = { id: string; sha256: string; expires_at?: string };
  const document = (keys: KeyEntry[]) => ({
    ...SIMULATOR,
    analysis: { enabled: false },
    teams: { acme: { models: ['*'], apps: { web: { keys } } } },
  });
  // startTestGateway adds these to the document it starts with; a reload without them would change the
  // logging level and a restart-only setting, which is beside the point here.
  const reload = async (keys: KeyEntry[]) => {
    const next = { logging: { level: 'error' }, analytics: { enabled: false }, ...document(keys) };
    assert.equal(await gateway.reload(parseConfig(next, process.env, 'reloaded')), true);
  };

  before(async () => {
    gateway = await startTestGateway(document([{ id: 'first', sha256: first.sha256 }]));
  });
  after(() => gateway.shutdown(0));

  it('a key added by a reload works on the next request', async () => {
    await expect401(await chat(gateway, bearer(added.key)), /^Invalid API key\.$/);
    await reload([
      { id: 'first', sha256: first.sha256 },
      { id: 'added', sha256: added.sha256 },
    ]);
    await expect200(await chat(gateway, bearer(added.key)));
    await expect200(await chat(gateway, bearer(first.key)));
  });

  it('a rotation by reload (old key removed, new one added): old 401, new 200', async () => {
    await reload([
      { id: 'added', sha256: added.sha256 },
      { id: 'rotated-in', sha256: rotatedIn.sha256 },
    ]);
    await expect401(await chat(gateway, bearer(first.key)), /^Invalid API key\.$/);
    await expect200(await chat(gateway, bearer(rotatedIn.key)));
    // The key that stayed is untouched by the rotation of the other.
    await expect200(await chat(gateway, bearer(added.key)));
  });

  it('an expired key is a 401 whose record names the key, its app and team (it is authentic, only dead)', async () => {
    const expired = newKey();
    const unknown = newKey();
    await reload([
      { id: 'rotated-in', sha256: rotatedIn.sha256 },
      { id: 'old', sha256: expired.sha256, expires_at: '2020-01-01T00:00:00Z' },
    ]);
    await expect401(
      await chat(gateway, { ...bearer(expired.key), 'x-request-id': 'expired-key' }),
      /^API key 'old' has expired\.$/,
    );
    await expect401(
      await chat(gateway, { ...bearer(unknown.key), 'x-request-id': 'unknown-key' }),
      /^Invalid API key\.$/,
    );
    const record = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === 'expired-key'),
      'the record',
    );
    assert.deepEqual(
      [record.status, record.team, record.app, record.api_key_id],
      [401, 'acme', 'web', 'old'],
    );
    // An unknown key names no one.
    const other = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === 'unknown-key'),
      'the record',
    );
    assert.deepEqual([other.team, other.app, other.api_key_id], [null, null, null]);
  });

  it('a key removed by a reload is a 401 on the next request', async () => {
    await reload([{ id: 'rotated-in', sha256: rotatedIn.sha256 }]);
    await expect401(await chat(gateway, bearer(added.key)), /^Invalid API key\.$/);
    await expect200(await chat(gateway, bearer(rotatedIn.key)));
  });
});

describe('POST /v1/analyze requires a valid key once identities exist (issue 4)', () => {
  let gateway: TestGateway;
  const web = newKey();
  const request = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Mail me at jane@example.com' }] };

  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      // Never called: /v1/analyze does not reach the upstream.
      providers: { openai: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k' } },
      models: { 'gpt-4o': { provider: 'openai' } },
      teams: { acme: { models: ['*'], apps: { web: { keys: [{ id: 'web-1', sha256: web.sha256 }] } } } },
    });
  });
  after(() => gateway.shutdown(0));

  it('without a key: 401 asking for credentials', async () => {
    await expect401(await gateway.post('/v1/analyze', request), /^Missing credentials/);
  });

  it('with a key that is not configured: 401', async () => {
    await expect401(await gateway.post('/v1/analyze', request, bearer('gw-unknown')), /^Invalid API key\.$/);
    // The Anthropic SDK's header is checked the same way.
    await expect401(
      await gateway.post('/v1/analyze', request, { 'x-api-key': 'gw-unknown' }),
      /^Invalid API key\.$/,
    );
  });

  it('an unauthenticated caller sees 401 even for a body that would be a 400', async () => {
    // Auth runs before the body is parsed, so an anonymous caller learns nothing about validation.
    const response = await fetch(`${gateway.url}/v1/analyze`, { method: 'POST', body: '{"model":' });
    await expect401(response, /^Missing credentials/);
  });

  it('with a valid key: 200 and the analysis', async () => {
    const body = await expect200<{
      tokens: { prompt: number; encoding: string; exact: boolean };
      pii: { type: string }[];
      complexity: { class: string };
    }>(await gateway.post('/v1/analyze', request, bearer(web.key)));
    assert.equal(body.tokens.encoding, 'o200k_base');
    assert.equal(body.tokens.exact, true);
    assert.ok(body.tokens.prompt > 0);
    assert.ok(body.pii.some((f) => f.type === 'EMAIL_ADDRESS'));
    assert.ok(['simple', 'medium', 'complex'].includes(body.complexity.class));
  });
});

describe('allowed models name the ids clients send (aliases), not upstream names', () => {
  let gateway: TestGateway;
  const web = newKey();
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      analysis: { enabled: false },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      // Two aliases of one upstream model, and a third id whose own name is that upstream name.
      models: {
        fast: { provider: 'simulator', upstream_model: 'sim-upstream' },
        'fast-too': { provider: 'simulator', upstream_model: 'sim-upstream' },
        'sim-upstream': { provider: 'simulator' },
      },
      teams: { acme: { models: ['fast'], apps: { web: { keys: [{ id: 'w', sha256: web.sha256 }] } } } },
    });
  });
  after(() => gateway.shutdown(0));

  const ask = (model: string) =>
    gateway.post(
      '/v1/chat/completions',
      { model, messages: [{ role: 'user', content: 'Hello there' }] },
      bearer(web.key),
    );

  it('the listed alias is served; another alias of the same upstream model and the upstream name are 403', async () => {
    await expect200(await ask('fast'));
    for (const model of ['fast-too', 'sim-upstream']) {
      const denied = await ask(model);
      assert.equal(denied.status, 403, model);
      const body = (await denied.json()) as ErrorBody;
      assert.equal(body.error.code, 'forbidden');
      assert.match(body.error.message, new RegExp(`'${model}'`));
    }
    const models = (await (await fetch(`${gateway.url}/v1/models`, { headers: bearer(web.key) })).json()) as {
      data: { id: string }[];
    };
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['fast'],
    );
  });
});
