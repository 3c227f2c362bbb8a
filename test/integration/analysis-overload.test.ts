// The analysis pool's bounded queue through the gateway: with one thread and no queue, a request that reaches
// the analyze stage while another one's analysis is running is refused with a 503 `overloaded` in the OpenAI
// error shape, with `retry-after`, counted on /metrics and recorded like any other request (issue 4). The
// pool's own unit test covers the bound; this shows the refusal reaches the client and the record.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { prose } from '../support/prose.js';
import { waitFor } from '../support/wait.js';

// About 1 MB of varied prose: its analysis takes tens to hundreds of milliseconds, a window wide enough for
// the next request to arrive while it runs, on a fast machine or a slow one.
const bigPrompt = (seed: number): string => prose(1_000_000, seed);

describe('analysis pool full: 503 overloaded through the gateway', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1, max_queue: 0 },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: {
        'sim-a': { provider: 'simulator', simulation: { output_tokens: 4 } },
        'sim-b': { provider: 'simulator', simulation: { output_tokens: 4 } },
      },
      // Every request is complex (thresholds at 0) and goes to sim-a; the provisional target (medium) it holds
      // while it waits for the analysis is sim-b.
      routers: {
        auto: {
          by: 'complexity',
          targets: { simple: 'sim-a', medium: 'sim-b', complex: 'sim-a' },
          thresholds: { medium: 0, complex: 0 },
        },
      },
    });
  });
  after(() => gateway.shutdown(0));

  const ask = (model: string, seed: number) =>
    gateway.post('/v1/chat/completions', {
      model,
      messages: [{ role: 'user', content: bigPrompt(seed) }],
    });

  it('refuses what the pool cannot hold, answers the rest, and records both', async () => {
    const before = gateway.records.length;
    const send = (seed: number) => ask('sim-a', seed);
    // Six requests 15 ms apart: each analysis outlasts the gap, so later ones find the only slot taken.
    const pending: Promise<Response>[] = [];
    for (let i = 0; i < 6; i++) {
      pending.push(send(i));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const responses = await Promise.all(pending);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
    const refused = responses.flatMap((r, i) => (r.status === 503 ? [{ r, body: bodies[i]! }] : []));
    const served = responses.filter((r) => r.status === 200);
    assert.ok(served.length >= 1, `statuses: ${responses.map((r) => r.status).join(', ')}`);
    assert.ok(refused.length >= 1, `statuses: ${responses.map((r) => r.status).join(', ')}`);
    assert.equal(served.length + refused.length, responses.length);
    for (const { r, body } of refused) {
      assert.equal(r.headers.get('retry-after'), '1');
      const error = body.error as { message: string; type: string; code: string };
      assert.equal(error.code, 'overloaded');
      assert.equal(typeof error.type, 'string');
      assert.match(error.message, /analysis worker pool is saturated/);
    }
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const rejected = /gateway_worker_rejected_total\{pool="analysis"\} (\d+)/.exec(metrics);
    assert.equal(Number(rejected?.[1]), refused.length);
    // Nothing is lost: one record per request, the refused ones with their error code.
    const records = await waitFor(() => {
      const mine = gateway.records.slice(before);
      return mine.length >= responses.length ? mine : undefined;
    }, 'a record for every request');
    assert.equal(records.length, responses.length);
    assert.equal(records.filter((r) => r.error_code === 'overloaded').length, refused.length);
    assert.equal(records.filter((r) => r.status === 200).length, served.length);
  });

  it('records a router’s refused request with no route: its target was never chosen', async () => {
    const before = gateway.records.length;
    const pending: Promise<Response>[] = [];
    for (let i = 0; i < 6; i++) {
      pending.push(ask('auto', 10 + i));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const responses = await Promise.all(pending);
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    const statuses = responses.map((r) => r.status).join(', ');
    assert.ok(
      responses.some((r) => r.status === 503),
      `statuses: ${statuses}`,
    );
    assert.ok(
      responses.some((r) => r.status === 200),
      `statuses: ${statuses}`,
    );
    const records = await waitFor(() => {
      const mine = gateway.records.slice(before);
      return mine.length >= responses.length ? mine : undefined;
    }, 'a record for every request');
    for (const record of records) {
      assert.equal(record.model_requested, 'auto');
      if (record.error_code === 'overloaded') {
        // Not the provisional target (sim-b) it held while it waited for the analysis.
        assert.equal(record.model_routed, null);
        assert.equal(record.route_reason, null);
        assert.equal(record.provider, null);
        assert.equal(record.cost_nano_usd, 0);
      } else {
        assert.equal(record.status, 200);
        assert.equal(record.route_reason, 'complexity:complex');
        assert.equal(record.model_routed, 'sim-a');
      }
    }
  });
});
