// OpenAI ⇄ Anthropic translation through a real gateway against a scripted upstream: the answers' edge cases
// (usage chunk without choices, malformed bodies, error types) and the fields one side cannot express.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { beginSse, sendJson, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

const usage = { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 };
const completion = (model: string) => ({
  id: 'chatcmpl-T',
  object: 'chat.completion',
  created: 1,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage,
});

describe('translation edge cases', () => {
  let upstream: ScriptedServer;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startScriptedServer((request, res) => {
      const model = String(request.body.model);
      if (model === 'usage-without-choices') {
        const base = { id: 'chatcmpl-S', object: 'chat.completion.chunk', created: 1, model };
        beginSse(res);
        const frames = [
          {
            ...base,
            choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }],
          },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
          { ...base, usage },
        ];
        res.end(frames.map((f) => `data: ${JSON.stringify(f)}\n\n`).join('') + 'data: [DONE]\n\n');
        return;
      }
      if (model === 'rejects-401') {
        return sendJson(res, 401, {
          error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key' },
        });
      }
      if (model === 'rejects-403') {
        return sendJson(res, 403, {
          error: { message: 'no access', type: 'invalid_request_error', code: null },
        });
      }
      if (model === 'claude-bare') return sendJson(res, 200, { type: 'message', id: 'msg_1' });
      return sendJson(res, 200, completion(model));
    });
    gateway = await startTestGateway({
      providers: {
        oai: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' },
        vllm: { type: 'self-hosted', base_url: `${upstream.url}/v1` },
        claude: { type: 'anthropic', base_url: upstream.url, api_key: 'k' },
      },
      models: {
        'usage-without-choices': { provider: 'oai' },
        'rejects-401': { provider: 'oai' },
        'rejects-403': { provider: 'oai' },
        'gpt-x': { provider: 'oai' },
        'vllm-x': { provider: 'vllm' },
        'claude-bare': { provider: 'claude' },
        'claude-x': { provider: 'claude' },
      },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    await upstream.close();
  });

  const post = (path: string, body: Record<string, unknown>) => gateway.post(path, body);
  const hi = [{ role: 'user', content: 'hi' }];

  it('a usage chunk without `choices` still ends the stream well, on both endpoints', async () => {
    const model = 'usage-without-choices';
    const messages = await (
      await post('/v1/messages', { model, max_tokens: 9, stream: true, messages: hi })
    ).text();
    assert.match(messages, /event: message_delta\n[^\n]*"output_tokens":2/);
    assert.match(messages, /event: message_stop/);
    // message_start opens with the gateway's own count of the prompt (the upstream's comes at the end), which
    // the record keeps as the counted prompt: never 0 (found by black-box testing).
    const start = /event: message_start\ndata: ([^\n]*)/.exec(messages);
    const opened = JSON.parse(start![1]!) as { message: { usage: { input_tokens: number } } };
    const record = await waitFor(
      () => gateway.records.find((r) => r.model_requested === model && r.endpoint === 'messages'),
      'the record',
    );
    assert.ok(opened.message.usage.input_tokens > 0);
    assert.equal(opened.message.usage.input_tokens, record.prompt_tokens_counted);
    // Billing still takes the upstream's count.
    assert.equal(record.prompt_tokens, 9);
    assert.doesNotMatch(messages, /event: error/);
    const chat = await (await post('/v1/chat/completions', { model, stream: true, messages: hi })).text();
    assert.match(chat, /data: \[DONE\]/);
    assert.doesNotMatch(chat, /"error"/);
  });

  it('a malformed 200 body is 502 upstream_invalid_response', async () => {
    const response = await post('/v1/chat/completions', { model: 'claude-bare', messages: hi });
    assert.equal(response.status, 502);
    assert.equal(
      ((await response.json()) as { error: { code: string } }).error.code,
      'upstream_invalid_response',
    );
  });

  it('custom tools and allowed_tools reach an OpenAI upstream, and get a 400 naming the field for Claude', async () => {
    const tools = [{ type: 'custom', custom: { name: 'code_exec', description: 'runs code' } }];
    const choice = {
      type: 'allowed_tools',
      allowed_tools: { mode: 'auto', tools: [{ type: 'custom', custom: { name: 'code_exec' } }] },
    };
    const ok = await post('/v1/chat/completions', {
      model: 'gpt-x',
      messages: hi,
      tools,
      tool_choice: choice,
    });
    assert.equal(ok.status, 200);
    const sent = upstream.lastRequestFor('gpt-x').body;
    assert.deepEqual(sent.tools, tools);
    assert.deepEqual(sent.tool_choice, choice);
    const refused = await post('/v1/chat/completions', { model: 'claude-x', messages: hi, tools });
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { param: string } }).error.param, 'tools[0].type');
    const functionTool = { type: 'function', function: { name: 'f' } };
    const refusedChoice = await post('/v1/chat/completions', {
      model: 'claude-x',
      messages: hi,
      tools: [functionTool],
      tool_choice: choice,
    });
    assert.equal(refusedChoice.status, 400);
    assert.equal(
      ((await refusedChoice.json()) as { error: { param: string } }).error.param,
      'tool_choice.type',
    );
  });

  it('the turn after a custom tool was used (its call and result in the history) reaches OpenAI; Claude gets a 400', async () => {
    const tools = [{ type: 'custom', custom: { name: 'code_exec' } }];
    const messages = [
      { role: 'user', content: 'Run it.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'code_exec', input: 'print(1)' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '1' },
    ];
    const ok = await post('/v1/chat/completions', { model: 'gpt-x', messages, tools });
    assert.equal(ok.status, 200);
    assert.deepEqual(upstream.lastRequestFor('gpt-x').body.messages, messages);
    const refused = await gateway.post(
      '/v1/chat/completions',
      { model: 'claude-x', messages },
      { 'x-request-id': 'custom-call-to-claude' },
    );
    assert.equal(refused.status, 400);
    assert.equal(
      ((await refused.json()) as { error: { param: string } }).error.param,
      'messages[1].tool_calls[0].type',
    );
    // Refused, and recorded like any other request (no upstream call, nothing billed).
    const record = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === 'custom-call-to-claude'),
      'the record of the refused request',
    );
    assert.equal(record.status, 400);
    assert.equal(record.error_code, 'unsupported_operation');
    assert.equal(record.prompt_tokens, 0);
  });

  it('more than 4 stop_sequences: a 400 naming stop_sequences for OpenAI, all of them for a self-hosted server', async () => {
    const stop_sequences = ['a', 'b', 'c', 'd', 'e'];
    const before = upstream.requestsFor('gpt-x').length;
    const refused = await post('/v1/messages', {
      model: 'gpt-x',
      max_tokens: 5,
      stop_sequences,
      messages: hi,
    });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { type: string; error: { type: string; param: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.equal(body.error.param, 'stop_sequences');
    assert.equal(upstream.requestsFor('gpt-x').length, before);
    const ok = await post('/v1/messages', { model: 'vllm-x', max_tokens: 5, stop_sequences, messages: hi });
    assert.equal(ok.status, 200);
    assert.deepEqual(upstream.lastRequestFor('vllm-x').body.stop, stop_sequences);
  });

  it('upstream 401 and 403 take Anthropic error types on /v1/messages', async () => {
    for (const [model, status, type] of [
      ['rejects-401', 401, 'authentication_error'],
      ['rejects-403', 403, 'permission_error'],
    ] as const) {
      const response = await post('/v1/messages', { model, max_tokens: 5, messages: hi });
      assert.equal(response.status, status);
      assert.equal(((await response.json()) as { error: { type: string } }).error.type, type);
    }
  });
});
