// Limits on a real Redis 8 through real gateways (uWS, port 0), for what issue 5 asks of them that the other
// files show only at the limiter level or on the in-process store (auth-limits.test.ts, limits-redis.test.ts):
// a stream cut at its budget and reconciled exactly in Redis, `/admin/usage?user=` on Redis, the non-default
// fault policies (`rate: closed`, `budget: open`) with their metric and log line, requests that do not hang on a
// stalled (SIGSTOP) Redis, and counting that resumes once a killed Redis is back. The Redis is private: these
// tests kill and stop it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';
import { createLogger } from '../../dataplane/observability/logger.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { budgetRows, type BudgetRow } from '../support/budgets.js';
import { bearer, newKey } from '../support/identities.js';
import { metricValue, streamedTokensOf } from '../support/raw-http.js';
import { redisCommand, startPrivateRedis, type PrivateRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

/** Generous: a request must be answered within a small multiple of command_timeout_ms (200), never hang. */
const ANSWERED_WITHIN_MS = 5000;
const STREAM_BUDGET = 30;
const RPM = 3;

type Keys = Record<
  'streamy' | 'users' | 'paced' | 'rateClosed' | 'budgetOpen' | 'admin',
  { key: string; sha256: string }
>;

function config(redisUrl: string, prefix: string, keys: Keys) {
  return {
    auth: { anonymous: 'deny' },
    limits: {
      timezone: 'UTC',
      redis: { url: redisUrl, key_prefix: prefix, command_timeout_ms: 200, connect_timeout_ms: 200 },
    },
    workers: { threads: 1 },
    providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
    models: {
      'sim-a': { provider: 'simulator', simulation: { output_tokens: 12 } },
      // Longer than what the stream's budget leaves after its prompt, so the stream must be cut.
      'sim-b': { provider: 'simulator', simulation: { output_tokens: 40 } },
    },
    teams: {
      acme: {
        models: ['*'],
        apps: {
          streamy: {
            keys: [{ id: 's', sha256: keys.streamy.sha256 }],
            limits: { tokens: { day: STREAM_BUDGET } },
          },
          // User limits on this app only: a user scope on the others would add a (fail-closed) budget to them.
          users: {
            keys: [{ id: 'u', sha256: keys.users.sha256 }],
            user_limits: { tokens: { day: 100_000 } },
          },
          paced: { keys: [{ id: 'p', sha256: keys.paced.sha256 }], limits: { rpm: RPM } },
          'rate-closed': {
            keys: [{ id: 'rc', sha256: keys.rateClosed.sha256 }],
            limits: { rpm: 1000, on_backend_error: { rate: 'closed' } },
          },
          'budget-open': {
            keys: [{ id: 'bo', sha256: keys.budgetOpen.sha256 }],
            limits: { tokens: { day: 1_000_000 }, on_backend_error: { budget: 'open' } },
          },
        },
      },
      ops: {
        models: ['*'],
        roles: ['admin'],
        apps: { console: { keys: [{ id: 'ops', sha256: keys.admin.sha256 }] } },
      },
    },
  };
}

/**
 * A gateway whose log lines are kept: test/support/gateway.ts does not take a logger, so this one is built the
 * same way (same config defaults) with a logger writing to an array.
 */
async function startLoggedGateway(document: Record<string, unknown>) {
  const lines: string[] = [];
  const gateway = await startGateway({
    config: parseConfig(
      { logging: { level: 'error' }, analytics: { enabled: false }, ...document },
      process.env,
      'test config',
    ),
    port: 0,
    logger: createLogger('error', (line) => lines.push(line)),
  });
  const logs = () => lines.map((line) => JSON.parse(line) as { level: string; msg: string });
  return { gateway, logs };
}

describe('limits on Redis through gateways: streams, usage, fault policies, stalls and restarts', () => {
  let redis: PrivateRedis;
  /** Two replicas: what one counts, the other must see (one Redis). */
  let a: TestGateway;
  let b: TestGateway;
  /** One per fault policy, each with its own log: the limiter logs backend failures at most once a second. */
  let failsClosed: Awaited<ReturnType<typeof startLoggedGateway>>;
  let failsOpen: Awaited<ReturnType<typeof startLoggedGateway>>;
  const keys: Keys = {
    streamy: newKey(),
    users: newKey(),
    paced: newKey(),
    rateClosed: newKey(),
    budgetOpen: newKey(),
    admin: newKey(),
  };
  const prefix = `t${randomBytes(4).toString('hex')}:`;
  const day = () => new Date().toISOString().slice(0, 10);

  before(async () => {
    redis = await startPrivateRedis();
    const document = config(redis.url, prefix, keys);
    a = await startTestGateway(document);
    b = await startTestGateway(document);
    failsClosed = await startLoggedGateway(document);
    failsOpen = await startLoggedGateway(document);
  });
  after(async () => {
    redis?.resume();
    for (const g of [a, b, failsClosed?.gateway, failsOpen?.gateway]) await g?.shutdown(0);
    await redis?.stop();
  });

  const chat = (gateway: Gateway, key: string, body: Record<string, unknown> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({
        model: 'sim-a',
        max_tokens: 20,
        messages: [{ role: 'user', content: 'Count to three, please.' }],
        ...body,
      }),
      signal: AbortSignal.timeout(10_000),
    });

  const budgetsOf = (gateway: Gateway, key: string) => budgetRows(gateway.url, bearer(key));

  const budgetHash = async (scope: string) => {
    const reply = (await redisCommand(redis.url, [
      'HMGET',
      `${prefix}bt:${scope}:${day()}`,
      'used',
      'reserved',
    ])) as (string | null)[];
    return { used: Number(reply[0] ?? 0), reserved: Number(reply[1] ?? 0) };
  };

  const waitReady = (gateways: Gateway[]) =>
    Promise.all(
      gateways.map((g) =>
        waitFor(
          async () => {
            const response = await fetch(`${g.url}/readyz`);
            await response.text();
            return response.status === 200;
          },
          `${g.url} to reach Redis again`,
          10_000,
        ),
      ),
    );

  it('a stream that would overrun its budget is cut with an SSE error; Redis holds exactly what was delivered', async () => {
    // No max_tokens: the stream is admitted with what the budget has left (30 - prompt) as its allowance.
    const response = await chat(a, keys.streamy.key, { model: 'sim-b', stream: true, max_tokens: undefined });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /data: \{"error":\{[^\n]*"code":"budget_exceeded"/);
    assert.doesNotMatch(text, /data: \[DONE\]/);
    const delivered = streamedTokensOf(text);
    assert.ok(delivered > 0 && delivered < 40, `${delivered} completion tokens delivered`);
    const record = await waitFor(
      () => a.records.find((r) => r.error_code === 'budget_exceeded' && r.stream),
      'the record of the cut stream',
    );
    assert.equal(record.completion_tokens, delivered);
    // Read on the other replica: it sees the first one's reconciliation only through Redis (it lands a few ms
    // after the response, hence the wait for the reservation to be gone).
    const row = await waitFor(async () => {
      const found = (await budgetsOf(b, keys.streamy.key)).find(
        (r) => r.scope === 'app:acme/streamy' && r.period === 'day',
      );
      return found !== undefined && found.reserved === 0 ? found : undefined;
    }, 'the reconciled day budget on the other gateway');
    assert.equal(row.limit, STREAM_BUDGET);
    assert.equal(row.used, record.prompt_tokens + delivered);
    assert.ok(row.used <= STREAM_BUDGET, `used ${row.used} of ${STREAM_BUDGET}`);
    // The same numbers in the Redis hash itself.
    assert.deepEqual(await budgetHash('app:acme/streamy'), { used: row.used, reserved: 0 });
    // The budget is spent for every replica: the other one refuses the next stream up front.
    const next = await chat(b, keys.streamy.key, { model: 'sim-b', stream: true, max_tokens: undefined });
    assert.equal(next.status, 429);
    assert.match(
      ((await next.json()) as ErrorBody).error.message,
      new RegExp(`^Daily token budget exceeded for app 'streamy' of team 'acme' \\(${row.used}/30 tokens\\)`),
    );
  });

  it("GET /admin/usage?user= reports that user's usage from Redis, and only that user's", async () => {
    // The end user comes from the chat body's `user` field (docs/auth.md, "The end user").
    const response = await chat(a, keys.users.key, { user: 'u-7' });
    assert.equal(response.status, 200);
    const usage = ((await response.json()) as { usage: { total_tokens: number } }).usage;
    assert.ok(usage.total_tokens > 0);
    const report = async (user: string) => {
      const reply = await fetch(`${b.url}/admin/usage?user=${user}`, { headers: bearer(keys.admin.key) });
      assert.equal(reply.status, 200);
      return ((await reply.json()) as { data: BudgetRow[] }).data;
    };
    const row = await waitFor(async () => {
      const found = (await report('u-7')).find((r) => r.scope === 'user:acme/users/u-7');
      return found !== undefined && found.reserved === 0 && found.used > 0 ? found : undefined;
    }, "u-7's reconciled usage");
    assert.equal(row.used, usage.total_tokens);
    assert.equal(row.limit, 100_000);
    assert.deepEqual(await budgetHash('user:acme/users/u-7'), { used: usage.total_tokens, reserved: 0 });
    // Another user of the same app has spent nothing: the report is per user, not the app's total.
    const other = (await report('u-8')).find((r) => r.scope === 'user:acme/users/u-8');
    assert.ok(other !== undefined, 'a row for u-8');
    assert.equal(other.used, 0);
  });

  it('every limit failing open: a Redis that does not answer leaves the gateway ready, reported degraded', async () => {
    const document = {
      ...config(redis.url, prefix, keys),
      teams: {
        acme: {
          models: ['*'],
          apps: {
            'all-open': { keys: [{ id: 'ao', sha256: keys.budgetOpen.sha256 }], limits: { rpm: 1000 } },
          },
        },
      },
    };
    const open = await startTestGateway(document);
    try {
      await waitReady([open]);
      redis.pause();
      try {
        const answer = await chat(open, keys.budgetOpen.key);
        assert.equal(answer.status, 200);
        await answer.text();
        const ready = await fetch(`${open.url}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: 'ready', degraded: ['redis'] });
      } finally {
        redis.resume();
      }
      await waitFor(
        async () => JSON.stringify(await (await fetch(`${open.url}/readyz`)).json()) === '{"status":"ready"}',
        'Redis answering again',
        10_000,
      );
    } finally {
      await open.shutdown(0);
    }
  });

  it('a stalled Redis (SIGSTOP) does not hang requests: each limit takes its policy within the command timeout', async () => {
    redis.pause();
    try {
      const started = performance.now();
      const [closed, open] = await Promise.all([chat(a, keys.rateClosed.key), chat(a, keys.budgetOpen.key)]);
      const elapsed = performance.now() - started;
      assert.equal(closed.status, 503);
      assert.equal(closed.headers.get('retry-after'), '1');
      const body = (await closed.json()) as ErrorBody;
      assert.equal(body.error.code, 'limits_unavailable');
      assert.equal(typeof body.error.message, 'string');
      assert.equal(open.status, 200);
      await open.json();
      assert.ok(elapsed < ANSWERED_WITHIN_MS, `answered after ${Math.round(elapsed)} ms`);
      // The socket is still open, yet the gateway knows Redis is not answering.
      const ready = await fetch(`${a.url}/readyz`);
      assert.equal(ready.status, 503);
      await ready.text();
    } finally {
      redis.resume();
    }
    // Woken up, Redis runs the admission it was sent meanwhile, which reserved tokens nobody will reconcile
    // (the request went through fail-open): the gateway releases it, so nothing stays reserved.
    // The hash's fields are read raw: absent fields would mean the admission never ran, not that it was released.
    await waitReady([a]);
    const [used, reserved] = await waitFor(
      async () => {
        const reply = (await redisCommand(redis.url, [
          'HMGET',
          `${prefix}bt:app:acme/budget-open:${day()}`,
          'used',
          'reserved',
        ])) as (string | null)[];
        return reply[1] === '0' ? reply : undefined;
      },
      'the stalled admission to run and be released',
      20_000,
    );
    assert.ok(used === null || used === '0', `used ${used}`);
    assert.equal(reserved, '0');
  });

  it('Redis down: `rate: closed` answers 503 in the OpenAI error shape, `budget: open` admits; each is counted and logged', async () => {
    await redis.kill();
    try {
      const started = performance.now();
      const closed = await chat(failsClosed.gateway, keys.rateClosed.key);
      assert.equal(closed.status, 503);
      assert.equal(closed.headers.get('retry-after'), '1');
      const body = (await closed.json()) as ErrorBody;
      assert.equal(body.error.code, 'limits_unavailable');
      assert.equal(typeof body.error.type, 'string');
      assert.match(body.error.message, /Limits cannot be checked right now/);
      const open = await chat(failsOpen.gateway, keys.budgetOpen.key);
      assert.equal(open.status, 200);
      const answer = (await open.json()) as { usage: { total_tokens: number } };
      assert.ok(answer.usage.total_tokens > 0);
      assert.ok(performance.now() - started < ANSWERED_WITHIN_MS, 'bounded by the command timeout');

      const metricsOf = async (g: Gateway) => (await fetch(`${g.url}/metrics`)).text();
      const closedCount = metricValue(
        await metricsOf(failsClosed.gateway),
        'gateway_limit_backend_errors_total',
        { phase: 'admit', policy: 'closed' },
      );
      assert.ok((closedCount ?? 0) >= 1, `closed: ${closedCount}`);
      const openCount = metricValue(
        await metricsOf(failsOpen.gateway),
        'gateway_limit_backend_errors_total',
        { phase: 'admit', policy: 'open' },
      );
      assert.ok((openCount ?? 0) >= 1, `open: ${openCount}`);
      // Each policy is on its own gateway, so neither count comes from the other's request.
      assert.equal(
        metricValue(await metricsOf(failsOpen.gateway), 'gateway_limit_backend_errors_total', {
          phase: 'admit',
          policy: 'closed',
        }) ?? 0,
        0,
      );

      assert.ok(
        failsClosed
          .logs()
          .some((l) => l.level === 'error' && l.msg === 'limit backend unavailable; limits fail closed'),
        JSON.stringify(failsClosed.logs()),
      );
      assert.ok(
        failsOpen
          .logs()
          .some((l) => l.level === 'error' && l.msg === 'limit backend unavailable; limits fail open'),
        JSON.stringify(failsOpen.logs()),
      );
    } finally {
      await redis.restart();
    }
  });

  it('Redis back (restarted empty): counting resumes, and the rpm limit refuses the request past it', async () => {
    // The limit counts before the outage too: the first request leaves RPM - 1.
    await waitReady([a, b]);
    const first = await chat(a, keys.paced.key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), String(RPM - 1));
    await first.text();

    await redis.kill();
    const down = await chat(a, keys.paced.key);
    // `rate: open` by default: admitted without counting, so no rate headers.
    assert.equal(down.status, 200);
    assert.equal(down.headers.get('x-ratelimit-remaining-requests'), null);
    await down.text();

    // A fresh server: the window starts whole, and is counted again, across both replicas.
    await redis.restart();
    await waitReady([a, b]);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < RPM; i++) {
      const response = await chat(i % 2 === 0 ? a : b, keys.paced.key);
      assert.equal(response.status, 200);
      remaining.push(response.headers.get('x-ratelimit-remaining-requests'));
      await response.text();
    }
    assert.deepEqual(
      remaining,
      Array.from({ length: RPM }, (_, i) => String(RPM - 1 - i)),
    );
    const refused = await chat(b, keys.paced.key);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.equal(((await refused.json()) as ErrorBody).error.code, 'rate_limited');
  });
});
