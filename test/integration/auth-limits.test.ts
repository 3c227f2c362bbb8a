// Identity, authorization, rate limits and budgets through a real gateway on the in-process limit store:
// 401 vs 403, filtered models, RPM with headers, hierarchical budgets, a stream cut at its budget and reconciled
// exactly, and the usage endpoints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { streamedTokensOf } from '../support/raw-http.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

describe('auth and limits (in-process store)', () => {
  let gateway: TestGateway;
  const web = newKey();
  const webNext = newKey();
  const expired = newKey();
  const narrow = newKey();
  const streamy = newKey();
  const roomy = newKey();
  const admin = newKey();
  const failing = newKey();

  before(async () => {
    gateway = await startTestGateway({
      auth: { anonymous: 'deny' },
      limits: { timezone: 'UTC' },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: {
        'sim-a': { provider: 'simulator', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
        'sim-b': { provider: 'simulator', simulation: { output_tokens: 40 } },
        // Twenty tokens of twenty characters each: five times what a stream's estimate takes a token to be.
        'sim-words': {
          provider: 'simulator',
          simulation: { answer: Array(20).fill('internationalisation').join(' ') },
        },
        'other-model': { provider: 'simulator' },
        'sim-vectors': { provider: 'simulator', kind: 'embeddings' },
        'sim-error-503': { provider: 'simulator' },
      },
      teams: {
        acme: {
          models: ['sim-*'],
          limits: { tokens: { month: 1_000_000 } },
          apps: {
            web: {
              keys: [
                { id: 'web-old', sha256: web.sha256 },
                { id: 'web-new', sha256: webNext.sha256 },
                { id: 'web-expired', sha256: expired.sha256, expires_at: '2020-01-01T00:00:00Z' },
              ],
              limits: { rpm: 4 },
            },
            narrow: {
              models: ['sim-a'],
              keys: [{ id: 'narrow-1', sha256: narrow.sha256, limits: { tokens: { day: 500_000 } } }],
            },
            failing: {
              keys: [{ id: 'failing-1', sha256: failing.sha256 }],
              limits: { tokens: { day: 100_000 } },
            },
            streamy: { keys: [{ id: 'streamy-1', sha256: streamy.sha256 }], limits: { tokens: { day: 30 } } },
            roomy: { keys: [{ id: 'roomy-1', sha256: roomy.sha256 }], limits: { tokens: { day: 40 } } },
          },
        },
        ops: {
          models: ['*'],
          roles: ['admin'],
          // A budget of its own, so that a report that wrongly lists this team shows a row for it.
          limits: { tokens: { month: 1_000_000_000 } },
          apps: { console: { keys: [{ id: 'ops-1', sha256: admin.sha256 }] } },
        },
      },
    });
  });
  after(() => gateway.shutdown(0));

  const chat = (headers: Record<string, string>, body: Record<string, unknown>) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello there' }], ...body }),
    });

  it('401 without or with a bad key, 200 with either key of a rotation', async () => {
    const none = await chat({}, { model: 'sim-a' });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as ErrorBody).error.code, 'unauthorized');
    const unknown = await chat(bearer('gw-not-a-key'), { model: 'sim-a' });
    assert.equal(unknown.status, 401);
    await unknown.text();
    const old = await chat(bearer(expired.key), { model: 'sim-a' });
    assert.equal(old.status, 401);
    assert.match(((await old.json()) as ErrorBody).error.message, /expired/i);
    for (const key of [web.key, webNext.key]) {
      const ok = await chat(bearer(key), { model: 'sim-a' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '4');
      await ok.json();
    }
  });

  it('two credentials in repeated headers are refused whatever their order (no last-one-wins)', async () => {
    // Undici's request() sends an array value as repeated header lines.
    const { request } = await import('undici');
    for (const values of [
      [`Bearer ${web.key}`, 'Bearer gw-not-a-key'],
      ['Bearer gw-not-a-key', `Bearer ${web.key}`],
    ]) {
      const response = await request(`${gateway.url}/v1/models`, { headers: { authorization: values } });
      assert.equal(response.statusCode, 401, values.join(' | '));
      await response.body.text();
    }
    const twoKeys = await request(`${gateway.url}/v1/models`, {
      headers: { 'x-api-key': ['gw-not-a-key', web.key] },
    });
    assert.equal(twoKeys.statusCode, 401);
    await twoKeys.body.text();
    const one = await request(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${web.key}` },
    });
    assert.equal(one.statusCode, 200);
    await one.body.text();
  });

  it('403 naming app, team and model when the model is not allowed; /v1/models is filtered', async () => {
    const denied = await chat(bearer(narrow.key), { model: 'sim-b' });
    assert.equal(denied.status, 403);
    const body = (await denied.json()) as ErrorBody;
    assert.equal(body.error.code, 'forbidden');
    assert.match(body.error.message, /'narrow'/);
    assert.match(body.error.message, /'acme'/);
    assert.match(body.error.message, /'sim-b'/);
    // Authorization comes first: a model the app may not use is a 403 whatever the route (an embeddings
    // model on the chat route was a 400 that told its kind).
    const vectors = await chat(bearer(narrow.key), { model: 'sim-vectors' });
    assert.equal(vectors.status, 403);
    await vectors.text();
    const models = (await (
      await fetch(`${gateway.url}/v1/models`, { headers: bearer(narrow.key) })
    ).json()) as {
      data: { id: string }[];
    };
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['sim-a'],
    );
  });

  it('rpm: the fifth request in a minute is refused with retry-after; another app is not affected', async () => {
    // Two requests of the web app were admitted by the first test.
    for (let i = 0; i < 2; i++) {
      const ok = await chat(bearer(web.key), { model: 'sim-a' });
      assert.equal(ok.status, 200);
      await ok.json();
    }
    const refused = await chat(bearer(webNext.key), { model: 'sim-a' });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    // A rate limit clears within the minute: SDKs may retry after retry-after.
    assert.equal(refused.headers.get('x-should-retry'), null);
    const body = (await refused.json()) as ErrorBody;
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /app 'web' of team 'acme': 4 requests per minute/);
    const other = await chat(bearer(narrow.key), { model: 'sim-a' });
    assert.equal(other.status, 200);
    await other.json();
  });

  it('a stream that would overrun the budget is cut with an SSE error and reconciled exactly', async () => {
    const response = await chat(bearer(streamy.key), { model: 'sim-b', stream: true });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /data: \{"error":\{[^\n]*"code":"budget_exceeded"/);
    assert.doesNotMatch(text, /data: \[DONE\]/);
    // What the client got, by the gateway's estimate of a stream's tokens (dispatch/streamed-tokens.ts).
    const delivered = streamedTokensOf(text);
    const record = await waitFor(
      () => gateway.records.find((r) => r.error_code === 'budget_exceeded' && r.stream),
      'the record of the cut stream',
    );
    assert.equal(record.completion_tokens, delivered);
    assert.ok(delivered > 0);
    const budgets = (await (
      await fetch(`${gateway.url}/v1/budgets`, { headers: bearer(streamy.key) })
    ).json()) as {
      data: { scope: string; period: string; used: number; reserved: number; limit: number }[];
    };
    const day = await waitFor(
      () => budgets.data.find((b) => b.scope === 'app:acme/streamy' && b.period === 'day'),
      'the day budget',
    );
    assert.equal(day.limit, 30);
    assert.equal(day.reserved, 0);
    assert.equal(day.used, record.prompt_tokens + record.completion_tokens);
    assert.ok(day.used <= 30, `used ${day.used} of 30`);
    // The budget is spent: the next request is refused up front.
    const next = await chat(bearer(streamy.key), { model: 'sim-b', stream: true });
    assert.equal(next.status, 429);
    // retry-after is the end of the day; SDKs told to retry would sleep that long inside one call.
    assert.ok(Number(next.headers.get('retry-after')) >= 1);
    assert.equal(next.headers.get('x-should-retry'), 'false');
    assert.match(
      ((await next.json()) as ErrorBody).error.message,
      /^Daily token budget exceeded for app 'streamy' of team 'acme' \(\d+\/30 tokens\); this request reserves \d+ tokens\.$/,
    );
  });

  it('a stream granted its whole bound is never cut, though its estimate runs above the true count', async () => {
    // The budget (40) holds the whole reservation: the prompt's estimate and the 20 asked for. The answer's 20
    // tokens are long words, so the stream's estimate passes 20 long before the end.
    const response = await chat(bearer(roomy.key), { model: 'sim-words', stream: true, max_tokens: 20 });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(streamedTokensOf(text) > 20, `the estimate is ${streamedTokensOf(text)}`);
    assert.doesNotMatch(text, /budget_exceeded/);
    assert.match(text, /data: \[DONE\]/);
    const record = await waitFor(
      () => gateway.records.find((r) => r.app === 'roomy' && r.stream),
      'the record of the stream',
    );
    assert.equal(record.status, 200);
    assert.equal(record.prompt_tokens, 8);
    assert.equal(record.completion_tokens, 20);
    const budgets = (await (
      await fetch(`${gateway.url}/v1/budgets`, { headers: bearer(roomy.key) })
    ).json()) as { data: { scope: string; period: string; used: number; reserved: number }[] };
    const day = budgets.data.find((b) => b.scope === 'app:acme/roomy' && b.period === 'day');
    assert.equal(day?.used, 28);
    assert.equal(day?.reserved, 0);
  });

  it('records who called, with tags from the header and the request metadata', async () => {
    const response = await chat(
      {
        ...bearer(narrow.key),
        'x-gateway-tags': 'feature=search, env=prod, __proto__=z',
        'x-gateway-user': 'u-42',
      },
      { model: 'sim-a', metadata: { ticket: 'T-1' } },
    );
    assert.equal(response.status, 200);
    await response.json();
    const record = await waitFor(
      () => gateway.records.find((r) => r.tags.ticket === 'T-1'),
      'the tagged record',
    );
    assert.equal(record.team, 'acme');
    assert.equal(record.app, 'narrow');
    assert.equal(record.api_key_id, 'narrow-1');
    assert.equal(record.user, 'u-42');
    assert.equal(record.deployment, 'simulator');
    // A tag named __proto__ is kept like any other (it was lost to the prototype).
    assert.deepEqual(Object.entries(record.tags), [
      ['feature', 'search'],
      ['env', 'prod'],
      ['__proto__', 'z'],
      ['ticket', 'T-1'],
    ]);
  });

  it('an upstream error releases the whole reservation', async () => {
    const response = await chat(bearer(failing.key), { model: 'sim-error-503' });
    assert.equal(response.status, 503);
    await response.text();
    const day = await waitFor(async () => {
      const body = (await (
        await fetch(`${gateway.url}/v1/budgets`, { headers: bearer(failing.key) })
      ).json()) as {
        data: { scope: string; period: string; used: number; reserved: number }[];
      };
      const row = body.data.find((b) => b.scope === 'app:acme/failing' && b.period === 'day');
      return row !== undefined && row.reserved === 0 ? row : undefined;
    }, 'the reservation to be released');
    assert.equal(day.used, 0);
  });

  it('/admin/usage needs the admin role', async () => {
    const denied = await fetch(`${gateway.url}/admin/usage`, { headers: bearer(web.key) });
    assert.equal(denied.status, 403);
    await denied.text();
    const anonymous = await fetch(`${gateway.url}/admin/usage`);
    assert.equal(anonymous.status, 401);
    await anonymous.text();
    const report = await fetch(`${gateway.url}/admin/usage?team=acme`, { headers: bearer(admin.key) });
    assert.equal(report.status, 200);
    const body = (await report.json()) as { data: { scope: string; used: number }[] };
    const team = body.data.find((row) => row.scope === 'team:acme');
    assert.ok(team !== undefined && team.used > 0);
    // A key's own budget is listed too, once.
    assert.equal(body.data.filter((row) => row.scope === 'key:acme/narrow/narrow-1').length, 1);
    // Names every object has are not teams.
    for (const name of ['constructor', '__proto__', 'toString', 'nosuch']) {
      const unknown = await fetch(`${gateway.url}/admin/usage?team=${name}`, { headers: bearer(admin.key) });
      assert.equal(unknown.status, 404, name);
      await unknown.text();
    }
    // So is an app no team (or not the named team) has.
    for (const query of ['app=nosuch', 'team=acme&app=nosuch', 'app=constructor']) {
      const unknown = await fetch(`${gateway.url}/admin/usage?${query}`, { headers: bearer(admin.key) });
      assert.equal(unknown.status, 404, query);
      assert.match(((await unknown.json()) as ErrorBody).error.message, /^Unknown app '/);
    }
    const known = await fetch(`${gateway.url}/admin/usage?app=narrow`, { headers: bearer(admin.key) });
    assert.equal(known.status, 200);
    // The teams that have such an app, not every team's own rows.
    const scopes = new Set(((await known.json()) as { data: { scope: string }[] }).data.map((r) => r.scope));
    assert.ok(scopes.has('team:acme') && scopes.has('key:acme/narrow/narrow-1'), [...scopes].join(' '));
    assert.ok(![...scopes].some((s) => s.startsWith('team:ops')), [...scopes].join(' '));
  });
});
