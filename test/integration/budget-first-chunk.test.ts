// A stream whose first chunk alone passes the budget's allowance is refused before any frame (429), but the
// upstream had answered: the prompt is billed, so the budget runs out instead of being asked again forever.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

describe('a stream cut by its budget at the first chunk', () => {
  let upstream: Server;
  let gateway: TestGateway | undefined;

  before(async () => {
    // The whole answer in the first chunk, as some servers send short answers.
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, usage: object | null = null) =>
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: usage === null ? [{ index: 0, delta, finish_reason: null }] : [], usage })}\n\n`;
        res.write(chunk({ role: 'assistant', content: 'lorem ipsum dolor sit amet '.repeat(12) }));
        res.write(chunk({}, { prompt_tokens: 9, completion_tokens: 60, total_tokens: 69 }));
        res.end('data: [DONE]\n\n');
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    gateway = await startTestGateway({
      analysis: { enabled: false },
      limits: { global: { tokens: { day: 60 } } },
      providers: { one: { type: 'openai', base_url: base, api_key: 'k' } },
      models: { one: { provider: 'one' } },
    });
  });
  after(async () => {
    upstream.close();
    await gateway?.shutdown(0);
  });

  it('is refused with 429 and billed its prompt, until the budget refuses it up front', async () => {
    const ask = (id: string) =>
      fetch(`${gateway!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'x-request-id': id },
        body: JSON.stringify({ model: 'one', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const first = await ask('first');
    assert.equal(first.status, 429);
    assert.equal(((await first.json()) as { error: { code: string } }).error.code, 'budget_exceeded');
    const record = await waitFor(
      () => gateway!.records.find((r) => r.client_request_id === 'first'),
      'the record of the cut stream',
    );
    assert.ok(record.prompt_tokens > 0, 'the prompt is billed');
    assert.equal(record.completion_tokens, 0, 'nothing was delivered');
    const budgets = (await (await fetch(`${gateway!.url}/v1/budgets`)).json()) as {
      data: { used: number; reserved: number }[];
    };
    assert.equal(budgets.data[0]!.used, record.prompt_tokens);
    assert.equal(budgets.data[0]!.reserved, 0);
    // Each such attempt spends its prompt: the budget ends up refusing it before the upstream is asked.
    let refusedUpFront = false;
    for (let i = 0; i < 10 && !refusedUpFront; i++) {
      const again = await ask(`again-${i}`);
      const body = (await again.json()) as { error: { message: string } };
      refusedUpFront = /Daily token budget exceeded/.test(body.error.message);
    }
    assert.ok(refusedUpFront);
  });
});
