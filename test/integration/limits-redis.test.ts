// Limits shared by several gateways through one real Redis 8: a token budget and an RPM limit stay exact
// under concurrency across three instances, and a Redis outage follows each limit's fail-open/closed policy.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { bearer, newKey } from '../support/identities.js';
import { redisCommand, startPrivateRedis, type PrivateRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const BUDGET = 3000;

function config(redisUrl: string, prefix: string, keys: Record<string, { sha256: string }>) {
  return {
    auth: { anonymous: 'deny' },
    limits: {
      redis: { url: redisUrl, key_prefix: prefix, command_timeout_ms: 200, connect_timeout_ms: 200 },
    },
    workers: { threads: 1 },
    providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
    models: { 'sim-a': { provider: 'simulator', simulation: { output_tokens: 12 } } },
    teams: {
      acme: {
        models: ['*'],
        apps: {
          budgeted: {
            keys: [{ id: 'b', sha256: keys.budgeted!.sha256 }],
            limits: { tokens: { day: BUDGET } },
          },
          paced: { keys: [{ id: 'p', sha256: keys.paced!.sha256 }], limits: { rpm: 30 } },
          open: {
            keys: [{ id: 'o', sha256: keys.open!.sha256 }],
            limits: { rpm: 1000, on_backend_error: { rate: 'open' } },
          },
          closed: {
            keys: [{ id: 'c', sha256: keys.closed!.sha256 }],
            limits: { tokens: { day: 1_000_000 }, on_backend_error: { budget: 'closed' } },
          },
        },
      },
    },
  };
}

describe('limits on Redis across three gateways', () => {
  let redis: PrivateRedis;
  const gateways: TestGateway[] = [];
  const keys = { budgeted: newKey(), paced: newKey(), open: newKey(), closed: newKey() };
  const prefix = `t${randomBytes(4).toString('hex')}:`;

  before(async () => {
    redis = await startPrivateRedis();
    for (let i = 0; i < 3; i++) gateways.push(await startTestGateway(config(redis.url, prefix, keys)));
  });
  after(async () => {
    for (const g of gateways) await g.shutdown(0);
    await redis.stop();
  });

  const chat = (gateway: TestGateway, key: string, content = 'Count to three, please.') =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer(key),
      body: JSON.stringify({ model: 'sim-a', max_tokens: 20, messages: [{ role: 'user', content }] }),
      signal: AbortSignal.timeout(10_000),
    });

  it('200 concurrent requests never spend more than the budget, and usage is counted exactly once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        chat(gateways[i % 3]!, keys.budgeted.key).then(async (r) => ({
          status: r.status,
          body: await r.text(),
        })),
      ),
    );
    const admitted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    assert.equal(admitted.length + refused.length, 200);
    assert.ok(
      admitted.length > 0 && refused.length > 0,
      `${admitted.length} admitted, ${refused.length} refused`,
    );
    for (const r of refused) assert.match(r.body, /Daily token budget exceeded for app 'budgeted'/);
    const spent = admitted.reduce((sum, r) => {
      const usage = (JSON.parse(r.body) as { usage: { total_tokens: number } }).usage;
      return sum + usage.total_tokens;
    }, 0);
    const records = gateways
      .flatMap((g) => g.records)
      .filter((r) => r.status === 200 && r.model_requested === 'sim-a');
    const oneReservation = Math.max(...records.map((r) => (r.prompt_tokens_counted ?? 0) + 20));
    assert.ok(spent <= BUDGET + oneReservation, `spent ${spent} of ${BUDGET}`);
    // Reconciliation is asynchronous: wait until nothing is reserved any more, then compare exactly.
    const day = new Date().toISOString().slice(0, 10);
    const key = `${prefix}bt:app:acme/budgeted:${day}`;
    const counters = await waitFor(async () => {
      const reply = (await redisCommand(redis.url, ['HMGET', key, 'used', 'reserved'])) as (string | null)[];
      return reply;
    }, 'the budget counters');
    let [used, reserved] = counters.map(Number);
    const deadline = Date.now() + 5000;
    while (reserved !== 0 && Date.now() < deadline) {
      [used, reserved] = (
        (await redisCommand(redis.url, ['HMGET', key, 'used', 'reserved'])) as string[]
      ).map(Number);
    }
    assert.equal(reserved, 0);
    assert.equal(used, spent);
  });

  it('an RPM limit is shared: 60 requests over three gateways admit the limit once', async () => {
    const began = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        chat(gateways[i % 3]!, keys.paced.key).then(async (r) => (await r.text(), r.status)),
      ),
    );
    const elapsedMs = Date.now() - began;
    const admitted = statuses.filter((s) => s === 200).length;
    // GCRA lets the full limit through at once, then one more per 2 s (30 a minute): on a slow moment of a slow
    // machine the burst can take longer than that, and each 2 s it lasts admits one more, never more.
    const most = 30 + 1 + Math.floor(elapsedMs / 2000);
    assert.ok(admitted >= 30 && admitted <= most, `${admitted} admitted in ${elapsedMs} ms`);
    assert.equal(statuses.filter((s) => s === 429).length, 60 - admitted);
    // Each admission's wait on Redis is in the stage histogram, refused ones included.
    const metrics = await (await fetch(`${gateways[0]!.url}/metrics`)).text();
    const count = Number(/gateway_stage_seconds_count\{stage="limits"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(count >= 20, `${count} admissions timed on the first gateway`);
    // The limits count in Redis' clock, read at start: on one machine it is this process's own.
    const offset = Number(/\ngateway_limits_clock_offset_seconds (\S+)/.exec(metrics)?.[1]);
    assert.ok(Math.abs(offset) < 0.05, `clock offset ${offset} s`);
  });

  it('Redis down: fail-open limits admit, fail-closed limits refuse, nothing hangs; Redis back: counting resumes', async () => {
    await redis.kill();
    const started = Date.now();
    const open = await chat(gateways[0]!, keys.open.key);
    assert.equal(open.status, 200);
    await open.text();
    const closed = await chat(gateways[1]!, keys.closed.key);
    assert.equal(closed.status, 503);
    assert.equal(((await closed.json()) as { error: { code: string } }).error.code, 'limits_unavailable');
    assert.ok(Date.now() - started < 5000, 'bounded by the command timeout');
    const metrics = await (await fetch(`${gateways[1]!.url}/metrics`)).text();
    assert.match(metrics, /gateway_limit_backend_errors_total\{phase="admit",policy="closed"\} [1-9]/);
    const ready = await fetch(`${gateways[0]!.url}/readyz`);
    assert.equal(ready.status, 503);
    await ready.text();
    // Reading budgets fails the same way, as a 503 (not a 500).
    const budgets = await fetch(`${gateways[0]!.url}/v1/budgets`, {
      headers: { authorization: `Bearer ${keys.closed.key}` },
    });
    assert.equal(budgets.status, 503);
    assert.equal(((await budgets.json()) as { error: { code: string } }).error.code, 'limits_unavailable');

    await redis.restart();
    // Each gateway reconnects on its own: the requests below go to two of them, and one still without its
    // connection would fail open and answer without rate headers.
    for (const gateway of gateways) {
      await waitFor(
        async () => (await fetch(`${gateway.url}/readyz`)).status === 200,
        'every gateway to reconnect',
        10_000,
      );
    }
    const back = await chat(gateways[1]!, keys.closed.key);
    assert.equal(back.status, 200);
    await back.text();
    const counted = await chat(gateways[2]!, keys.open.key);
    assert.equal(counted.headers.get('x-ratelimit-limit-requests'), '1000');
    await counted.text();
  });
});
