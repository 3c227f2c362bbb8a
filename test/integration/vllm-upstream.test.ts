// A self-hosted (vLLM-like) upstream through a real gateway: the completion limit's field, reasoning as
// Anthropic thinking, top_k, estimates without usage, vLLM's error vocabulary and bodies, flat in-stream
// errors. The upstream model name picks the script.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import {
  beginSse,
  sendJson,
  startScriptedServer,
  writeFrame,
  type ReceivedRequest,
  type ScriptedServer,
} from '../support/scripted-server.js';
import { waitFor } from '../support/wait.js';

const TEXT = 'Hello there friend!';
const REASONING_PIECES = ['Let', ' me', ' think', ' about', ' the', ' greeting', '.'];
/** Long enough that an estimate that ignores it is far off (about 300 tokens). */
const LONG_REASONING = 'The user greets me, so I should greet them back kindly. '.repeat(21);
const usage = { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 };
const CONTEXT_MESSAGE =
  "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens " +
  '(4900 in the messages, 100 in the completion). Please reduce the length of the messages or completion.';

function whole(model: string, message: Record<string, unknown>, withUsage: boolean): Record<string, unknown> {
  return {
    id: 'chatcmpl-vllm',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop', stop_reason: null },
    ],
    ...(withUsage ? { usage } : {}),
  };
}

async function stream(res: ServerResponse, model: string, frames: readonly unknown[]): Promise<void> {
  beginSse(res);
  const base = { id: 'chatcmpl-vllm', object: 'chat.completion.chunk', created: 1, model };
  for (const frame of frames) {
    const data = typeof frame === 'string' ? frame : JSON.stringify({ ...base, ...(frame as object) });
    await writeFrame(res, `data: ${data}\n\n`);
  }
  res.end();
}

const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
  choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }],
});

async function script(request: ReceivedRequest, res: ServerResponse): Promise<void> {
  const model = String(request.body.model);
  const streamed = request.body.stream === true;
  switch (model) {
    case 'reason':
      if (!streamed)
        return sendJson(res, 200, whole(model, { reasoning_content: LONG_REASONING, content: TEXT }, true));
      return stream(res, model, [
        delta({ role: 'assistant', content: '' }),
        ...REASONING_PIECES.map((piece) => delta({ reasoning_content: piece })),
        delta({ content: 'Hello' }),
        delta({ content: ' there friend!' }),
        delta({}, 'stop'),
        { choices: [], usage },
        '[DONE]',
      ]);
    case 'reason-new-name':
      return sendJson(
        res,
        200,
        whole(model, { reasoning: 'Thinking under the new name.', content: TEXT }, true),
      );
    case 'reason-nousage':
      return sendJson(res, 200, whole(model, { reasoning_content: LONG_REASONING, content: TEXT }, false));
    case 'nousage-long':
      // No usage either, and twenty tokens of long words: the estimate (four characters a token) says 105.
      return stream(res, model, [
        delta({ role: 'assistant', content: '' }),
        ...Array.from({ length: 20 }, (_, i) =>
          delta({ content: `${i === 0 ? '' : ' '}internationalisation` }),
        ),
        delta({}, 'length'),
        '[DONE]',
      ]);
    case 'nousage':
      // Ignores stream_options, as some servers and older builds do.
      return stream(res, model, [
        delta({ role: 'assistant', content: '' }),
        delta({ content: 'Hello' }),
        delta({ content: ' there friend!' }),
        delta({}, 'stop'),
        '[DONE]',
      ]);
    case 'flat-error':
      return stream(res, model, [
        delta({ role: 'assistant', content: '' }),
        delta({ content: 'Hello' }),
        '{"object":"error","message":"Engine died mid-generation","type":"InternalServerError","param":null,"code":500}',
        '[DONE]',
      ]);
    case 'err400-old':
      return sendJson(res, 400, {
        object: 'error',
        message: CONTEXT_MESSAGE,
        type: 'BadRequestError',
        param: null,
        code: 400,
      });
    case 'err400-new':
      return sendJson(res, 400, {
        error: { message: CONTEXT_MESSAGE, type: 'BadRequestError', param: null, code: 400 },
      });
    case 'err500':
      return sendJson(res, 500, {
        object: 'error',
        message: 'The engine is dead.',
        type: 'InternalServerError',
        param: null,
        code: 500,
      });
    case 'err401':
      return sendJson(res, 401, { error: 'Unauthorized' });
    case 'err404':
      return sendJson(res, 404, { detail: 'Not Found' });
    case 'err422':
      return sendJson(res, 422, {
        detail: [{ type: 'missing', loc: ['body', 'messages'], msg: 'Field required', input: {} }],
      });
    default:
      return sendJson(res, 200, whole(model, { content: TEXT }, true));
  }
}

describe('a self-hosted (vLLM) upstream', () => {
  let upstream: ScriptedServer;
  let gateway: TestGateway;

  before(async () => {
    upstream = await startScriptedServer(script);
    const vllm = (upstream_model: string, extra: Record<string, unknown> = {}) => ({
      provider: 'vllm',
      upstream_model,
      ...extra,
    });
    gateway = await startTestGateway({
      providers: {
        vllm: { type: 'self-hosted', base_url: `${upstream.url}/v1` },
        oai: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'k' },
      },
      models: {
        capped: vllm('ok@capped', { max_output_tokens: 256 }),
        open: vllm('ok@open'),
        'oai-x': { provider: 'oai', upstream_model: 'ok@oai' },
        reason: vllm('reason'),
        'reason-new-name': vllm('reason-new-name'),
        'reason-nousage': vllm('reason-nousage'),
        nousage: vllm('nousage'),
        'nousage-long': vllm('nousage-long'),
        'flat-error': vllm('flat-error'),
        'err400-old': vllm('err400-old'),
        'err400-new': vllm('err400-new'),
        err500: vllm('err500'),
        err401: vllm('err401'),
        err404: vllm('err404'),
        err422: vllm('err422'),
      },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    await upstream.close();
  });

  const post = (path: string, body: Record<string, unknown>) => gateway.post(path, body);
  const messages = [{ role: 'user', content: 'Hi' }];
  const recordOf = (model: string, endpoint: string) =>
    waitFor(
      () => gateway.records.find((r) => r.model_requested === model && r.endpoint === endpoint),
      `the record of ${model} on ${endpoint}`,
    );
  /** The SSE data lines of a body, parsed (the [DONE] sentinel as the string). */
  const dataOf = (text: string): unknown[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));

  describe('the completion limit', () => {
    const sent = async (model: string, body: Record<string, unknown>) => {
      const response = await post('/v1/chat/completions', { model, messages, ...body });
      assert.equal(response.status, 200, await response.clone().text());
      await response.arrayBuffer();
      return upstream.requests.at(-1)!.body;
    };

    it('a client max_completion_tokens reaches a self-hosted server as max_tokens, cut to the cap', async () => {
      const over = await sent('capped', { max_completion_tokens: 100_000 });
      assert.equal(over.max_tokens, 256);
      assert.equal('max_completion_tokens' in over, false);
      const under = await sent('capped', { max_completion_tokens: 100 });
      assert.equal(under.max_tokens, 100);
      assert.equal('max_completion_tokens' in under, false);
    });

    it('with both fields, the smaller one goes as max_tokens; without a cap too', async () => {
      const both = await sent('capped', { max_tokens: 9999, max_completion_tokens: 120 });
      assert.equal(both.max_tokens, 120);
      assert.equal('max_completion_tokens' in both, false);
      const open = await sent('open', { max_completion_tokens: 77 });
      assert.equal(open.max_tokens, 77);
      assert.equal('max_completion_tokens' in open, false);
    });

    it('an OpenAI upstream still gets max_completion_tokens', async () => {
      const oai = await sent('oai-x', { max_completion_tokens: 77 });
      assert.equal(oai.max_completion_tokens, 77);
      assert.equal('max_tokens' in oai, false);
    });
  });

  describe('reasoning on /v1/messages', () => {
    it('a whole answer carries a thinking block before the text', async () => {
      const response = await post('/v1/messages', { model: 'reason', max_tokens: 100, messages });
      assert.equal(response.status, 200);
      const message = (await response.json()) as { content: Record<string, unknown>[] };
      assert.deepEqual(message.content, [
        { type: 'thinking', thinking: LONG_REASONING, signature: '' },
        { type: 'text', text: TEXT },
      ]);
    });

    it("reads newer vLLM's `reasoning` field too", async () => {
      const response = await post('/v1/messages', { model: 'reason-new-name', max_tokens: 100, messages });
      const message = (await response.json()) as { content: Record<string, unknown>[] };
      assert.deepEqual(message.content[0], {
        type: 'thinking',
        thinking: 'Thinking under the new name.',
        signature: '',
      });
    });

    it('a stream opens a thinking block with thinking_delta events, then the text block', async () => {
      const response = await post('/v1/messages', {
        model: 'reason',
        max_tokens: 100,
        stream: true,
        messages,
      });
      const events = dataOf(await response.text()) as {
        type: string;
        index?: number;
        content_block?: { type: string };
        delta?: { type: string; thinking?: string; text?: string };
      }[];
      const starts = events.filter((e) => e.type === 'content_block_start');
      assert.deepEqual(
        starts.map((e) => [e.index, e.content_block]),
        [
          [0, { type: 'thinking', thinking: '', signature: '' }],
          [1, { type: 'text', text: '' }],
        ],
      );
      const thinking = events
        .filter((e) => e.delta?.type === 'thinking_delta')
        .map((e) => {
          assert.equal(e.index, 0);
          return e.delta!.thinking;
        });
      assert.equal(thinking.join(''), REASONING_PIECES.join(''));
      const text = events.filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta!.text);
      assert.equal(text.join(''), TEXT);
      // The thinking block is closed before the text block opens.
      const order = events.map((e) => `${e.type}:${e.index ?? ''}`);
      assert.ok(
        order.indexOf('content_block_stop:0') < order.indexOf('content_block_start:1'),
        String(order),
      );
    });
  });

  it('/v1/messages passes top_k to a self-hosted server', async () => {
    const response = await post('/v1/messages', { model: 'open', max_tokens: 100, top_k: 20, messages });
    assert.equal(response.status, 200);
    assert.equal(upstream.lastRequestFor('ok@open').body.top_k, 20);
  });

  it('a whole answer without usage is estimated with its reasoning text', async () => {
    const response = await post('/v1/chat/completions', { model: 'reason-nousage', messages });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const record = await recordOf('reason-nousage', 'chat');
    // LONG_REASONING alone is about 1,200 ASCII characters, 300 tokens at four characters a token.
    assert.ok(record.completion_tokens > 250, String(record.completion_tokens));
  });

  it('an estimate never bills more completion than the upstream was allowed (max_tokens)', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'nousage-long',
      stream: true,
      max_tokens: 20,
      messages,
    });
    const text = await response.text();
    assert.match(text, /data: \[DONE\]/);
    const record = await recordOf('nousage-long', 'chat');
    assert.equal(record.completion_tokens, 20);
    // Without a limit sent upstream, the estimate stands (nothing bounds it).
    const open = await post('/v1/chat/completions', { model: 'nousage-long', stream: true, messages });
    await open.text();
    const records = await waitFor(() => {
      const all = gateway.records.filter((r) => r.model_requested === 'nousage-long');
      return all.length >= 2 && all;
    }, 'both records');
    assert.ok(records[1]!.completion_tokens > 100, String(records[1]!.completion_tokens));
  });

  describe("vLLM's errors", () => {
    for (const model of ['err400-old', 'err400-new']) {
      it(`a context-length 400 (${model}) is invalid_request_error / context_length_exceeded`, async () => {
        const chat = await post('/v1/chat/completions', { model, messages });
        assert.equal(chat.status, 400);
        assert.deepEqual(await chat.json(), {
          error: {
            message: CONTEXT_MESSAGE,
            type: 'invalid_request_error',
            param: null,
            code: 'context_length_exceeded',
          },
        });
        const record = await recordOf(model, 'chat');
        assert.equal(record.error_code, 'context_length_exceeded');
        const anthropic = await post('/v1/messages', { model, max_tokens: 10, messages });
        assert.equal(anthropic.status, 400);
        const body = (await anthropic.json()) as { type: string; error: { type: string; message: string } };
        assert.equal(body.error.type, 'invalid_request_error');
        assert.equal(body.error.message, CONTEXT_MESSAGE);
      });
    }

    it('a 500 is server_error with a word, not a number, for its code', async () => {
      const response = await post('/v1/chat/completions', { model: 'err500', messages });
      assert.equal(response.status, 500);
      const { error } = (await response.json()) as { error: { type: string; code: string; message: string } };
      assert.deepEqual(
        { type: error.type, code: error.code, message: error.message },
        { type: 'server_error', code: 'upstream_error', message: 'The engine is dead.' },
      );
    });

    const bodies: [string, number, string][] = [
      ['err401', 401, 'Unauthorized'],
      ['err404', 404, 'Not Found'],
      ['err422', 422, 'body.messages: Field required'],
    ];
    for (const [model, status, message] of bodies) {
      it(`keeps the message of a ${status} body not in OpenAI's shape`, async () => {
        const response = await post('/v1/chat/completions', { model, messages });
        assert.equal(response.status, status);
        const { error } = (await response.json()) as { error: { message: string } };
        assert.equal(error.message, message);
      });
    }
  });

  it('a flat in-stream error ends the stream with its message, not an internal error', async () => {
    const response = await post('/v1/chat/completions', { model: 'flat-error', stream: true, messages });
    assert.equal(response.status, 200);
    const frames = dataOf(await response.text());
    assert.notEqual(frames.at(-1), '[DONE]');
    assert.deepEqual(frames.at(-1), {
      error: {
        message: 'Engine died mid-generation',
        type: 'server_error',
        param: null,
        code: 'upstream_error',
      },
    });
    const record = await recordOf('flat-error', 'chat');
    assert.equal(record.error_code, 'upstream_error');
  });

  describe('streamed usage the upstream did not send', () => {
    it('a client that asked for usage gets the estimate as the last chunk before [DONE]', async () => {
      const response = await post('/v1/chat/completions', {
        model: 'nousage',
        stream: true,
        stream_options: { include_usage: true },
        messages,
      });
      const frames = dataOf(await response.text());
      assert.equal(frames.at(-1), '[DONE]');
      const last = frames.at(-2) as { choices: unknown[]; usage?: Record<string, number> };
      assert.deepEqual(last.choices, []);
      const record = await recordOf('nousage', 'chat');
      assert.ok(record.completion_tokens > 0 && record.prompt_tokens > 0);
      assert.deepEqual(last.usage, {
        prompt_tokens: record.prompt_tokens,
        completion_tokens: record.completion_tokens,
        total_tokens: record.prompt_tokens + record.completion_tokens,
      });
    });

    it('a client that did not ask gets no usage chunk', async () => {
      const response = await post('/v1/chat/completions', { model: 'nousage', stream: true, messages });
      const frames = dataOf(await response.text()) as { usage?: unknown }[];
      assert.equal(
        frames.some((f) => typeof f === 'object' && f.usage !== undefined && f.usage !== null),
        false,
      );
    });

    it('on /v1/messages, message_delta carries the estimate the record has', async () => {
      const response = await post('/v1/messages', {
        model: 'nousage',
        max_tokens: 100,
        stream: true,
        messages,
      });
      const events = dataOf(await response.text()) as { type: string; usage?: Record<string, number> }[];
      const delta = events.find((e) => e.type === 'message_delta')!;
      const record = await recordOf('nousage', 'messages');
      assert.ok(record.completion_tokens > 0 && record.prompt_tokens > 0);
      assert.equal(delta.usage!.input_tokens, record.prompt_tokens);
      assert.equal(delta.usage!.output_tokens, record.completion_tokens);
    });
  });
});
