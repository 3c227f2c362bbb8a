// A client that goes away cancels the upstream call: mid-stream and before the first byte. The upstream here
// never ends its answer by itself, so its connection closing is the cancellation; how fast that happens is a
// timing, which belongs to the bench (a tight bound here failed when the VM's hypervisor stole the CPU).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

interface UpstreamCall {
  closedAt: number | undefined;
  chunksWritten: number;
}

describe('client abort', () => {
  let upstream: Server;
  let gateway: TestGateway;
  const calls: UpstreamCall[] = [];

  before(async () => {
    // Streams a chunk every 20 ms without end (or waits 10 s before headers for `slow-headers`), noting
    // when the gateway closes the connection.
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      const call: UpstreamCall = { closedAt: undefined, chunksWritten: 0 };
      calls.push(call);
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('close', () => {
        call.closedAt = performance.now();
        clearInterval(timer);
        clearTimeout(headersTimer);
      });
      let timer: NodeJS.Timeout | undefined;
      let headersTimer: NodeJS.Timeout | undefined;
      req.on('end', () => {
        const model = (JSON.parse(body) as { model: string }).model;
        const start = () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          timer = setInterval(() => {
            const chunk = {
              id: 'c1',
              object: 'chat.completion.chunk',
              created: 1,
              model,
              choices: [{ index: 0, delta: { content: `tok${call.chunksWritten} ` }, finish_reason: null }],
            };
            res.write(`data: ${JSON.stringify(chunk)}\n\n`);
            call.chunksWritten += 1;
          }, 20);
        };
        if (model === 'slow-headers') headersTimer = setTimeout(start, 10_000);
        else start();
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    gateway = await startTestGateway({
      providers: {
        up: { type: 'openai', base_url: `http://127.0.0.1:${port}/v1`, api_key: 'k' },
        narrow: {
          type: 'openai',
          base_url: `http://127.0.0.1:${port}/v1`,
          api_key: 'k',
          pool: { connections: 1 },
        },
      },
      models: {
        endless: { provider: 'up', upstream_model: 'endless' },
        'slow-headers': { provider: 'up', upstream_model: 'slow-headers' },
        'narrow-endless': { provider: 'narrow', upstream_model: 'endless' },
        'narrow-queued': { provider: 'narrow', upstream_model: 'endless' },
      },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    upstream.closeAllConnections();
    upstream.close();
  });

  it('mid-stream: the abort closes the upstream call', async () => {
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'endless', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let received = '';
    while ((received.match(/data: /g) ?? []).length < 3) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    const call = calls.at(-1)!;
    assert.equal(call.closedAt, undefined);
    controller.abort();
    await waitFor(() => call.closedAt, 'the upstream connection to close', 2000);
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'endless'),
      'the record',
    );
    assert.equal(record.client_aborted, true);
    assert.equal(record.error_code, 'client_aborted');
    assert.equal(record.stream, true);
  });

  it('before the first byte: the abort closes the upstream call before its headers', async () => {
    const controller = new AbortController();
    const pending = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'slow-headers',
        stream: true,
        messages: [{ role: 'user', content: 'go' }],
      }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    const before = calls.length;
    await waitFor(() => calls.length > before, 'the upstream call to start', 2000);
    const call = calls.at(-1)!;
    controller.abort();
    await pending;
    // Its headers would come after 10 s: closed within 2 s, the call was cancelled before them.
    await waitFor(() => call.closedAt, 'the upstream connection to close', 2000);
    assert.equal(call.chunksWritten, 0);
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'slow-headers'),
      'the record',
    );
    assert.equal(record.status, 0);
    assert.equal(record.client_aborted, true);
    // The abort is the client's, not an internal error of the gateway's.
    assert.equal(record.error_code, 'client_aborted');
    assert.equal(record.error_message, 'The client closed the connection before the answer was complete.');
  });

  it('waiting for a free upstream connection: the abort ends the request without waiting for it, and it is never sent', async () => {
    const send = (model: string, signal: AbortSignal) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
        signal,
      });
    const callsBefore = calls.length;
    // The provider's only connection is taken by an endless stream...
    const holder = new AbortController();
    const holding = await send('narrow-endless', holder.signal);
    assert.equal(holding.status, 200);
    // ...so this one queues for it; its client gives up.
    const queued = new AbortController();
    const waiting = send('narrow-queued', queued.signal).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 150));
    queued.abort();
    assert.ok((await waiting) instanceof Error);
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === 'narrow-queued'),
      'the queued request is recorded while the connection is still taken',
      2_000,
    );
    assert.equal(record.error_code, 'client_aborted');
    holder.abort();
    await waitFor(() => (calls[callsBefore]?.closedAt !== undefined ? true : undefined), 'the holder closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(calls.length, callsBefore + 1, 'the abandoned request never reached the upstream');
  });
});
