// A client that leaves while a non-streamed answer is on its way: the upstream had the prompt and bills it, so
// the budget and the record count the prompt (they counted nothing, and client timeouts drove unseen spend).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

describe('a non-streamed answer the client did not wait for', () => {
  let upstream: ScriptedServer;
  let gateway: TestGateway | undefined;

  before(async () => {
    // Headers at once, the body a second later; the upstream model `failing` answers 503.
    upstream = await startScriptedServer((request, res) => {
      res.writeHead(request.body.model === 'failing' ? 503 : 200, { 'content-type': 'application/json' });
      res.flushHeaders();
      const timer = setTimeout(() => res.end('{}'), 1_000);
      res.on('close', () => clearTimeout(timer));
    });
    gateway = await startTestGateway({
      analysis: { enabled: false },
      limits: { global: { tokens: { day: 1_000_000 } } },
      providers: { slow: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' } },
      models: {
        slow: { provider: 'slow', max_output_tokens: 100 },
        failing: { provider: 'slow', upstream_model: 'failing' },
      },
    });
  });
  after(async () => {
    await gateway?.shutdown(0);
    await upstream.close();
  });

  /** Sends a request and leaves after 300 ms, while the upstream's body is still on its way. */
  const leave = async (model: string, id: string) => {
    const controller = new AbortController();
    const sent = fetch(`${gateway!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': id },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'word '.repeat(200) }] }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 300);
    assert.ok((await sent) instanceof Error);
  };

  it('bills the prompt, in the budget and in the record', async () => {
    await leave('slow', 'left');
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

  it('does not bill an upstream error status, even when the client left while its body was read', async () => {
    const before = (await (await fetch(`${gateway!.url}/v1/budgets`)).json()) as { data: { used: number }[] };
    await leave('failing', 'left-error');
    const record = await waitFor(
      () => gateway!.records.find((r) => r.client_request_id === 'left-error'),
      'the abandoned request is recorded',
    );
    assert.equal(record.prompt_tokens, 0);
    const after = (await (await fetch(`${gateway!.url}/v1/budgets`)).json()) as {
      data: { used: number; reserved: number }[];
    };
    assert.equal(after.data[0]!.used, before.data[0]!.used);
    assert.equal(after.data[0]!.reserved, 0);
  });
});
