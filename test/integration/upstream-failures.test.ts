// Upstream timeouts and failures map to the right status (before the first byte) or to a final SSE error
// event (after it); simulator failure modes behave as named; /metrics counts it all.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { streamedTokensOf } from '../support/raw-http.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  error: { message: string; type: string; code: string };
}

describe('upstream failures', () => {
  let upstream: Server;
  let closedPort: number;
  let gateway: TestGateway;

  before(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const model = (JSON.parse(body) as { model: string }).model;
        if (model === 'never-answers') return; // no headers, ever
        if (model === 'hangs-up') {
          req.socket.destroy(); // read the request, then closed the connection without a word
          return;
        }
        if (model === 'stalls-mid-stream') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = {
            id: 'x',
            object: 'chat.completion.chunk',
            created: 1,
            model,
            choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }],
          };
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
          return; // then silence
        }
        if (model === 'stalls-mid-body') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"id":"x",');
          return;
        }
        if (model === 'ends-without-done') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const chunk = {
            id: 'x',
            object: 'chat.completion.chunk',
            created: 1,
            model,
            choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }],
          };
          res.end(`data: ${JSON.stringify(chunk)}\n\n`);
          return;
        }
        if (model === 'usage-then-break') {
          // The upstream's own final count arrives, then the stream ends without [DONE].
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const base = { id: 'x', object: 'chat.completion.chunk', created: 1, model };
          const text = {
            ...base,
            choices: [{ index: 0, delta: { content: 'Hello there, friend' }, finish_reason: null }],
          };
          const usage = {
            ...base,
            choices: [],
            usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
          };
          res.end(`data: ${JSON.stringify(text)}\n\ndata: ${JSON.stringify(usage)}\n\n`);
          return;
        }
        if (model === 'broken-first-frame') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('data: {not json\n\n');
          return;
        }
        if (model === 'usage-null') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              id: 'x',
              object: 'chat.completion',
              created: 1,
              model,
              choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
              usage: null,
            }),
          );
          return;
        }
        if (model === 'not-json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('<html>oops</html>');
          return;
        }
        res.writeHead(500).end();
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    const spare = createServer();
    spare.listen(0, '127.0.0.1');
    await once(spare, 'listening');
    closedPort = (spare.address() as AddressInfo).port;
    spare.close();
    const timeouts = { connect_ms: 1000, first_byte_ms: 300, idle_ms: 300 };
    gateway = await startTestGateway({
      providers: {
        up: { type: 'openai', base_url: `http://127.0.0.1:${port}/v1`, timeouts },
        down: { type: 'openai', base_url: `http://127.0.0.1:${closedPort}/v1`, timeouts },
        simulator: {
          type: 'simulator',
          ttft_ms: 0,
          tokens_per_second: 0,
          slow_first_byte_ms: 1000,
          timeouts,
        },
      },
      models: {
        'never-answers': { provider: 'up' },
        'stalls-mid-stream': { provider: 'up' },
        'stalls-mid-body': { provider: 'up' },
        'ends-without-done': { provider: 'up' },
        'usage-then-break': { provider: 'up' },
        'broken-first-frame': { provider: 'up' },
        'not-json': { provider: 'up' },
        'hangs-up': { provider: 'up' },
        'usage-null': { provider: 'up' },
        unreachable: { provider: 'down' },
        'sim-error-503': { provider: 'simulator' },
        'sim-429': { provider: 'simulator' },
        'sim-reset-mid-stream': { provider: 'simulator', simulation: { output_tokens: 20 } },
        'sim-slow-first-byte': { provider: 'simulator' },
        'sim-flaky': { provider: 'simulator' },
      },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    upstream.closeAllConnections();
    upstream.close();
  });

  async function chat(model: string, stream = false): Promise<Response> {
    return fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello' }] }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  it('no first byte in time → 504 upstream_timeout', async () => {
    for (const stream of [false, true]) {
      const response = await chat('never-answers', stream);
      assert.equal(response.status, 504);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.error.code, 'upstream_timeout');
      assert.match(body.error.message, /first byte/);
    }
  });

  it('idle between chunks of a JSON body → 504', async () => {
    const response = await chat('stalls-mid-body');
    assert.equal(response.status, 504);
    assert.match(((await response.json()) as ErrorBody).error.message, /idle/);
  });

  it('idle mid-stream → final SSE error event, no [DONE]', async () => {
    const response = await chat('stalls-mid-stream', true);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /"content":"Hel"/);
    assert.match(text, /data: \{"error":\{[^\n]*"code":"upstream_timeout"/);
    assert.doesNotMatch(text, /data: \[DONE\]/);
  });

  it('a stream that ends without [DONE] is reported, never passed off as complete', async () => {
    const text = await (await chat('ends-without-done', true)).text();
    assert.match(text, /"content":"Hi"/);
    assert.match(text, /"code":"stream_interrupted"/);
    assert.doesNotMatch(text, /data: \[DONE\]/);
  });

  it('/v1/messages to an OpenAI upstream whose stream breaks: billed for the prompt and what was streamed', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'ends-without-done',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'Say hi to everyone in the room, please.' }],
      }),
    });
    const text = await response.text();
    assert.match(text, /event: error/);
    // The translated stream opened with Anthropic's message_start of 0/0 usage; that is no count of the prompt.
    const record = await waitFor(
      () =>
        gateway.records.find((r) => r.endpoint === 'messages' && r.model_requested === 'ends-without-done'),
      'the record',
    );
    assert.ok(record.prompt_tokens > 5, `prompt ${record.prompt_tokens}`);
    assert.equal(record.completion_tokens, 1);
  });

  it("a stream broken after the upstream's own usage is billed that usage; one broken before its first frame, nothing", async () => {
    const broken = await (await chat('usage-then-break', true)).text();
    assert.match(broken, /"code":"stream_interrupted"/);
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'usage-then-break'),
      'the record',
    );
    assert.equal(record.prompt_tokens, 12);
    assert.equal(record.completion_tokens, 4);
    // The client got a 502, not a stream: nothing to bill.
    const refused = await chat('broken-first-frame', true);
    assert.equal(refused.status, 502);
    await refused.text();
    const second = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'broken-first-frame'),
      'the record',
    );
    assert.equal(second.prompt_tokens + second.completion_tokens, 0);
  });

  it('an answer with "usage": null is passed on, and its record estimates the tokens, completion too', async () => {
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'usage-null',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hello' }],
        }),
      });
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), /Hi/);
    }
    const records = await waitFor(() => {
      const found = gateway.records.filter((r) => r.model_requested === 'usage-null');
      return found.length === 2 ? found : undefined;
    }, 'both answers recorded');
    for (const record of records) {
      assert.equal(record.status, 200);
      assert.ok(record.prompt_tokens > 0, 'the prompt is estimated');
      assert.equal(record.completion_tokens, 1, "the completion is estimated from the answer's text");
    }
  });

  it('unreachable upstream → 502, invalid upstream JSON → 502', async () => {
    const down = await chat('unreachable');
    assert.equal(down.status, 502);
    assert.equal(((await down.json()) as ErrorBody).error.code, 'upstream_unreachable');
    // Reached, then hung up before answering: told apart from a refused connection, in the answer and the record.
    for (const stream of [false, true]) {
      const closed = await chat('hangs-up', stream);
      assert.equal(closed.status, 502);
      const error = ((await closed.json()) as ErrorBody).error;
      assert.equal(error.code, 'upstream_closed');
      assert.equal(error.type, 'api_error');
    }
    const closedRecords = await waitFor(() => {
      const found = gateway.records.filter((r) => r.model_requested === 'hangs-up');
      return found.length === 2 ? found : undefined;
    }, 'both hang-ups recorded');
    assert.ok(closedRecords.every((r) => r.status === 502 && r.error_code === 'upstream_closed'));
    const bad = await chat('not-json');
    assert.equal(bad.status, 502);
    assert.equal(((await bad.json()) as ErrorBody).error.code, 'upstream_invalid_response');
  });

  it('simulator failure modes', async () => {
    const error = await chat('sim-error-503');
    assert.equal(error.status, 503);
    const limited = await chat('sim-429');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    await limited.text();
    const reset = await (await chat('sim-reset-mid-stream', true)).text();
    assert.match(reset, /"code":"stream_interrupted"/);
    assert.doesNotMatch(reset, /data: \[DONE\]/);
    // No limit applies here, and the stream ended without the upstream's usage: the record still bills
    // what was streamed (the prompt, and one completion token per content chunk that passed).
    const streamed = streamedTokensOf(reset);
    assert.ok(streamed > 0);
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'sim-reset-mid-stream'),
      'the reset stream is recorded',
    );
    assert.equal(record.completion_tokens, streamed);
    assert.ok(record.prompt_tokens > 0);
    const slow = await chat('sim-slow-first-byte');
    assert.equal(slow.status, 504);
    const flaky = [await chat('sim-flaky'), await chat('sim-flaky')].map((r) => r.status);
    assert.deepEqual(flaky.sort(), [200, 503]);
  });

  it('/metrics counts requests, errors and latency by route, model and status', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(text, /gateway_requests_total\{route="chat",model="never-answers",status="504"\} 2/);
    assert.match(
      text,
      /gateway_request_errors_total\{route="chat",model="unreachable",code="upstream_unreachable"\} 1/,
    );
    assert.match(
      text,
      /gateway_request_duration_seconds_bucket\{route="chat",model="sim-429",status="429",le="\+Inf"\} 1/,
    );
    assert.match(text, /gateway_in_flight_requests \d/);
  });
});
