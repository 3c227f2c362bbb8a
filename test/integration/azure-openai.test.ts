// Azure OpenAI: deployment in the path, api-version in the query, the key in `api-key`.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

describe('azure-openai provider', () => {
  let upstream: Server;
  let gateway: TestGateway;
  const seen: { url: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];

  before(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          url: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(body) as Record<string, unknown>,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'chatcmpl-az',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-2024-08-06',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'from azure' }, finish_reason: 'stop' },
            ],
            usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
          }),
        );
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    gateway = await startTestGateway({
      analysis: { enabled: false },
      providers: {
        azure: {
          type: 'azure-openai',
          base_url: `http://127.0.0.1:${port}`,
          api_key: 'az-key',
          api_version: '2024-10-21',
        },
      },
      models: { 'gpt-4o': { provider: 'azure', upstream_model: 'my-deployment' } },
    });
  });
  after(async () => {
    await gateway.shutdown(0);
    upstream.close();
  });

  it('calls the deployment URL with api-key', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]?.message.content, 'from azure');
    const call = seen[0]!;
    assert.equal(call.url, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    assert.equal(call.headers['api-key'], 'az-key');
    assert.equal(call.headers.authorization, undefined);
    assert.equal(call.body.model, 'my-deployment');
  });

  it('a Messages body becomes a chat request with max_completion_tokens (the o-series refuse max_tokens)', async () => {
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { content: { text: string }[] };
    assert.equal(body.content[0]?.text, 'from azure');
    const call = seen.at(-1)!;
    assert.equal(call.url, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    assert.equal(call.body.max_completion_tokens, 300);
    assert.equal('max_tokens' in call.body, false);
  });
});
