// While the gateway drains after SIGTERM, new requests get a 503 and their connection is closed, HEAD included
// (whose answer has no body, so closing needs uWS's own close-after-end).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startTestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

describe('draining', () => {
  it('answers HEAD and GET with 503 and closes their connections', async () => {
    const gateway = await startTestGateway({
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 20 } },
      models: { slow: { provider: 'simulator', simulation: { output_tokens: 20 } } },
    });
    // A stream in flight keeps the drain going (20 tokens at 20/s).
    const stream = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(stream.status, 200);
    // Connections opened before the drain (new ones are refused once the listen socket is closed).
    const sockets = await Promise.all(
      ['HEAD', 'GET'].map(async (method) => {
        const socket = connect(gateway.port, '127.0.0.1');
        await once(socket, 'connect');
        return { method, socket };
      }),
    );
    const stopped = gateway.shutdown(5_000);
    for (const { method, socket } of sockets) {
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      const closed = once(socket, 'close');
      socket.write(`${method} /v1/models HTTP/1.1\r\nHost: x\r\n\r\n`);
      await waitFor(() => (received.includes('\r\n\r\n') ? true : undefined), `the answer to ${method}`);
      await closed;
      assert.match(received, /^HTTP\/1\.1 503 /, method);
      if (method === 'HEAD') assert.ok(received.endsWith('\r\n\r\n'), 'no body after the headers');
    }
    await stream.text();
    await stopped;
  });
});
