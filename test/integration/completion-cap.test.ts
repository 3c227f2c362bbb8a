// A model's max_output_tokens bounds what goes upstream, not only what the budgets reserve: a request asking
// for more (or for nothing) would otherwise be billed far past its reservation.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

describe("the model's max_output_tokens caps the completion limit sent upstream", () => {
  let upstream: Server;
  let gateway: TestGateway | undefined;
  const seen: { url: string; body: Record<string, unknown> }[] = [];

  before(async () => {
    upstream = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/json' });
        if ((req.url ?? '').endsWith('/messages')) {
          res.end(
            JSON.stringify({
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              model: 'claude',
              content: [{ type: 'text', text: 'ok' }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 3, output_tokens: 1 },
            }),
          );
          return;
        }
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1,
            model: 'm',
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
          }),
        );
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = await startTestGateway({
      analysis: { enabled: false },
      providers: {
        openai: { type: 'openai', base_url: `${base}/v1`, api_key: 'k' },
        vllm: { type: 'self-hosted', base_url: `${base}/v1` },
        anthropic: { type: 'anthropic', base_url: base, api_key: 'k', default_max_tokens: 4096 },
      },
      models: {
        capped: { provider: 'openai', upstream_model: 'gpt', max_output_tokens: 100 },
        'capped-vllm': { provider: 'vllm', upstream_model: 'llama', max_output_tokens: 100 },
        'capped-claude': { provider: 'anthropic', upstream_model: 'claude', max_output_tokens: 100 },
        'capped-claude-8k': { provider: 'anthropic', upstream_model: 'claude', max_output_tokens: 8192 },
        open: { provider: 'openai', upstream_model: 'gpt' },
      },
    });
  });
  after(async () => {
    upstream.close();
    await gateway?.shutdown(0);
  });

  const post = async (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const before = seen.length;
    const response = await fetch(`${gateway!.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    await response.arrayBuffer();
    assert.equal(seen.length, before + 1);
    return seen.at(-1)!.body;
  };
  const messages = [{ role: 'user', content: 'hi' }];

  it('cuts a larger max_tokens or max_completion_tokens to the cap, each in its own field', async () => {
    const a = await post('/v1/chat/completions', { model: 'capped', max_tokens: 3000, messages });
    assert.equal(a.max_tokens, 100);
    assert.equal(a.max_completion_tokens, undefined);
    const b = await post('/v1/chat/completions', { model: 'capped', max_completion_tokens: 3000, messages });
    assert.equal(b.max_completion_tokens, 100);
    assert.equal(b.max_tokens, undefined);
  });

  it('leaves a smaller limit alone', async () => {
    const a = await post('/v1/chat/completions', { model: 'capped', max_tokens: 50, messages });
    assert.equal(a.max_tokens, 50);
  });

  it("sends the cap in the provider's field when the request has no limit", async () => {
    const a = await post('/v1/chat/completions', { model: 'capped', messages });
    assert.equal(a.max_completion_tokens, 100);
    const b = await post('/v1/chat/completions', { model: 'capped-vllm', messages });
    assert.equal(b.max_tokens, 100);
  });

  it('caps Messages bodies, native and translated', async () => {
    const native = await post('/v1/messages', { model: 'capped-claude', max_tokens: 3000, messages });
    assert.equal(native.max_tokens, 100);
    const translated = await post('/v1/messages', { model: 'capped', max_tokens: 3000, messages });
    assert.equal(translated.max_completion_tokens, 100);
  });

  it("keeps extended thinking's budget below the capped max_tokens", async () => {
    const body = await post('/v1/messages', {
      model: 'capped-claude-8k',
      max_tokens: 16_000,
      thinking: { type: 'enabled', budget_tokens: 10_000 },
      messages,
    });
    assert.equal(body.max_tokens, 8192);
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 8191 });
  });

  it("a chat request to Anthropic without a limit gets the provider's default, capped", async () => {
    const a = await post('/v1/chat/completions', { model: 'capped-claude', messages });
    assert.equal(a.max_tokens, 100);
  });

  it('a model without max_output_tokens forwards the request as it came', async () => {
    const a = await post('/v1/chat/completions', { model: 'open', max_tokens: 3000, messages });
    assert.equal(a.max_tokens, 3000);
    const b = await post('/v1/chat/completions', { model: 'open', messages });
    assert.equal(b.max_tokens, undefined);
    assert.equal(b.max_completion_tokens, undefined);
  });
});
