// A stream whose first chunk alone passes the budget's allowance is refused before any frame (429), but the
// upstream had answered: the prompt is billed, so the budget runs out instead of being asked again forever.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  beginSse,
  startScriptedServer,
  writeFrame,
  type ScriptedServer,
} from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

describe('a stream cut by its budget at the first chunk', () => {
  let upstream: ScriptedServer;
  let gateway: TestGateway | undefined;

  before(async () => {
    // The whole answer in the first chunk, as some servers send short answers.
    const chunk = (delta: object, usage: object | null = null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: usage === null ? [{ index: 0, delta, finish_reason: null }] : [], usage })}\n\n`;
    upstream = await startScriptedServer(async (_request, res) => {
      beginSse(res);
      await writeFrame(res, chunk({ role: 'assistant', content: 'lorem ipsum dolor sit amet '.repeat(12) }));
      await writeFrame(res, chunk({}, { prompt_tokens: 9, completion_tokens: 60, total_tokens: 69 }));
      res.end('data: [DONE]\n\n');
    });
    gateway = await startTestGateway({
      analysis: { enabled: false },
      limits: { global: { tokens: { day: 60 } } },
      providers: { one: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' } },
      models: { one: { provider: 'one' } },
    });
  });
  after(async () => {
    await gateway?.shutdown(0);
    await upstream.close();
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
