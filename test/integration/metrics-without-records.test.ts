// A gateway with nothing listening for records (analytics off, no access log) builds none, but /metrics still
// counts every request: served, refused and streamed, with their latencies, first bytes and tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway, type Gateway } from '../../dataplane/gateway.js';

describe('metrics without record sinks', () => {
  let gateway: Gateway;
  before(async () => {
    const config = parseConfig(
      {
        logging: { level: 'error' },
        analytics: { enabled: false },
        analysis: { enabled: false },
        providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
        models: { 'sim-m': { provider: 'simulator', simulation: { output_tokens: 5 } } },
      },
      process.env,
      'test config',
    );
    gateway = await startGateway({ config, port: 0 });
  });
  after(async () => {
    await gateway?.shutdown(0);
  });

  const chat = (body: unknown) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('counts each request, its outcome, timings and tokens', async () => {
    const messages = [{ role: 'user', content: 'hello there' }];
    const served = await chat({ model: 'sim-m', messages });
    assert.equal(served.status, 200);
    const usage = ((await served.json()) as { usage: { prompt_tokens: number; completion_tokens: number } })
      .usage;
    const streamed = await chat({ model: 'sim-m', messages, stream: true });
    assert.equal(streamed.status, 200);
    await streamed.text();
    const refused = await chat({ model: 'sim-m' });
    assert.equal(refused.status, 400);
    await refused.text();

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? NaN);
    assert.equal(value(/gateway_requests_total\{route="chat",model="sim-m",status="200"\} (\d+)/), 2);
    assert.equal(value(/gateway_requests_total\{route="chat",model="",status="400"\} (\d+)/), 1);
    assert.equal(
      value(/gateway_request_errors_total\{route="chat",model="",code="invalid_request"\} (\d+)/),
      1,
    );
    assert.equal(
      value(/gateway_request_duration_seconds_count\{route="chat",model="sim-m",status="200"\} (\d+)/),
      2,
    );
    assert.equal(value(/gateway_upstream_first_byte_seconds_count\{route="chat",model="sim-m"\} (\d+)/), 2);
    assert.equal(value(/gateway_time_to_first_byte_seconds_count\{route="chat",model="sim-m"\} (\d+)/), 2);
    assert.equal(
      value(/gateway_tokens_total\{model="sim-m",kind="completion"\} (\d+)/),
      2 * usage.completion_tokens,
    );
    assert.ok(value(/gateway_tokens_total\{model="sim-m",kind="prompt"\} (\d+)/) >= usage.prompt_tokens);
  });
});
