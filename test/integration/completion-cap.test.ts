// A model's max_output_tokens bounds what goes upstream, not only what the budgets reserve: a request asking
// for more (or for nothing) would otherwise be billed far past its reservation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAnthropicUpstream } from '../support/anthropic-upstream.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startOpenAIUpstream } from '../support/openai-upstream.js';
import type { ScriptedServer } from '../support/scripted-server.js';

describe("the model's max_output_tokens caps the completion limit sent upstream", () => {
  let openai: ScriptedServer;
  let anthropic: ScriptedServer;
  let gateway: TestGateway | undefined;

  before(async () => {
    openai = await startOpenAIUpstream({ flavour: 'openai' });
    anthropic = await startAnthropicUpstream({ apiKey: 'k' });
    gateway = await startTestGateway({
      analysis: { enabled: false },
      providers: {
        openai: { type: 'openai', base_url: `${openai.url}/v1`, api_key: 'k' },
        vllm: { type: 'self-hosted', base_url: `${openai.url}/v1` },
        anthropic: { type: 'anthropic', base_url: anthropic.url, api_key: 'k', default_max_tokens: 4096 },
      },
      models: {
        capped: { provider: 'openai', upstream_model: 'script-text', max_output_tokens: 100 },
        'capped-vllm': { provider: 'vllm', upstream_model: 'script-text', max_output_tokens: 100 },
        'capped-claude': { provider: 'anthropic', upstream_model: 'script-text', max_output_tokens: 100 },
        'capped-claude-8k': { provider: 'anthropic', upstream_model: 'script-text', max_output_tokens: 8192 },
        open: { provider: 'openai', upstream_model: 'script-text' },
      },
    });
  });
  after(async () => {
    await gateway?.shutdown(0);
    await openai.close();
    await anthropic.close();
  });

  /** The body the upstream received for this request. */
  const post = async (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const before = openai.requests.length + anthropic.requests.length;
    const response = await fetch(`${gateway!.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    await response.arrayBuffer();
    const received = [...openai.requests, ...anthropic.requests];
    assert.equal(received.length, before + 1);
    const upstream = (body.model as string).startsWith('capped-claude') ? anthropic : openai;
    return upstream.requests.at(-1)!.body;
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
