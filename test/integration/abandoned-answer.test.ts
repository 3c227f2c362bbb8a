// A client that leaves while a non-streamed answer is on its way: the upstream had the prompt and bills it, so
// the budget and the record count the prompt (they counted nothing, and client timeouts drove unseen spend).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

describe('a non-streamed answer the client did not wait for', () => {
  let upstream: Server;
  let gateway: TestGateway | undefined;

  before(async () => {
    // Headers at once, the body a second later.
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        const timer = setTimeout(() => res.end('{}'), 1_000);
        res.on('close', () => clearTimeout(timer));
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    gateway = await startTestGateway({
      analysis: { enabled: false },
      limits: { global: { tokens: { day: 1_000_000 } } },
      providers: { slow: { type: 'openai', base_url: base, api_key: 'k' } },
      models: { slow: { provider: 'slow', max_output_tokens: 100 } },
    });
  });
  after(async () => {
    upstream.close();
    await gateway?.shutdown(0);
  });

  it('bills the prompt, in the budget and in the record', async () => {
    const controller = new AbortController();
    const sent = fetch(`${gateway!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': 'left' },
      body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'word '.repeat(200) }] }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 300);
    assert.ok((await sent) instanceof Error);
    const record = await waitFor(
      () => gateway!.records.find((r) => r.client_request_id === 'left'),
      'the abandoned request is recorded',
    );
    assert.equal(record.error_code, 'client_aborted');
    assert.ok(record.upstream_ttfb_ms !== null, 'the upstream had answered its headers');
    assert.ok(record.prompt_tokens > 200, `prompt_tokens ${record.prompt_tokens}`);
    assert.equal(record.completion_tokens, 0);
    const budgets = (await (await fetch(`${gateway!.url}/v1/budgets`)).json()) as {
      data: { used: number; reserved: number }[];
    };
    assert.equal(budgets.data[0]!.used, record.prompt_tokens);
    assert.equal(budgets.data[0]!.reserved, 0);
  });
});
