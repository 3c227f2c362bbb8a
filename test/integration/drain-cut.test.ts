// A request still running when the drain's grace period ends is told so, not dropped: a stream gets a final
// SSE error event (shutting_down) and its record says shutting_down, not client_aborted (found by operations
// testing: the cut stream was recorded as the client's abort and the client got a truncated body).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

describe('the end of a drain', () => {
  it('ends a stream still running with a shutting_down event, and records it so', async () => {
    const gateway = await startTestGateway({
      // 100 tokens at 20 a second: five seconds, far beyond the grace period below.
      models: {
        'sim-slow': {
          provider: 'simulator',
          simulation: { ttft_ms: 0, tokens_per_second: 20, output_tokens: 100 },
        },
      },
    });
    const response = await gateway.post('/v1/chat/completions', {
      model: 'sim-slow',
      stream: true,
      messages: [{ role: 'user', content: 'Tell me a long story.' }],
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const stopping = gateway.shutdown(300);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await stopping;
    assert.match(text, /data: \{"error":\{[^\n]*"code":"shutting_down"/);
    assert.doesNotMatch(text, /data: \[DONE\]/);
    const record = await waitFor(() => gateway.records.find((r) => r.stream), 'the record');
    assert.equal(record.error_code, 'shutting_down');
    assert.equal(record.client_aborted, false);
    assert.equal(record.status, 200);
    // Billed what was streamed: the upstream had the prompt and generated until the stop.
    assert.ok(record.prompt_tokens > 0);
    assert.ok(
      record.completion_tokens > 0 && record.completion_tokens < 100,
      String(record.completion_tokens),
    );
  });

  it('records a stream it stopped as shutting_down even when a slow reader could not be told', async () => {
    const gateway = await startTestGateway({
      // ≈ 200,000 chunks as fast as the client takes them: far more than the socket buffers hold.
      models: {
        'sim-flood': {
          provider: 'simulator',
          simulation: { ttft_ms: 0, tokens_per_second: 0, answer: 'word '.repeat(200_000) },
        },
      },
    });
    const socket = connect(gateway.port, '127.0.0.1');
    await once(socket, 'connect');
    const body = JSON.stringify({
      model: 'sim-flood',
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    const [first] = (await once(socket, 'data')) as [Buffer];
    assert.match(first.toString(), /^HTTP\/1.1 200/);
    // The client stops reading: the buffers fill and the gateway waits on them, unable to send the stop's event.
    socket.pause();
    await sleep(300);
    await gateway.shutdown(200);
    socket.destroy();
    const record = await waitFor(() => gateway.records.find((r) => r.stream), 'the record');
    assert.equal(record.error_code, 'shutting_down');
    assert.equal(record.client_aborted, false);
    assert.match(record.error_message ?? '', /shut down/);
    assert.ok(record.completion_tokens > 0, 'billed what was streamed');
  });

  it('answers a request still waiting on its upstream with a 503 shutting_down, and records it so', async () => {
    const gateway = await startTestGateway({
      models: { 'sim-late': { provider: 'simulator', simulation: { ttft_ms: 5000 } } },
    });
    const pending = gateway.post('/v1/chat/completions', {
      model: 'sim-late',
      messages: [{ role: 'user', content: 'hi' }],
    });
    // Started before the drain (a request arriving during it gets the drain's own 503 at once).
    await waitFor(async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      return /^gateway_in_flight_requests 1$/m.test(metrics);
    }, 'the request to be in flight');
    const stopping = gateway.shutdown(300);
    const response = await pending;
    assert.equal(response.status, 503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'shutting_down');
    assert.match(body.error.message, /end of its drain period/);
    await stopping;
    const record = await waitFor(() => gateway.records.at(0), 'the record');
    assert.equal(record.error_code, 'shutting_down');
    assert.equal(record.client_aborted, false);
  });
});
