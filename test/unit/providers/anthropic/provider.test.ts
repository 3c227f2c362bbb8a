// The Anthropic provider against a real local HTTP server speaking Anthropic's wire format (real sockets).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import {
  chatRequestSchema,
  type ChatChunk,
  type ChatRequest,
} from '../../../../dataplane/api/openai-chat.js';
import {
  messagesRequestSchema,
  type AnthropicStreamEvent,
} from '../../../../dataplane/api/anthropic-messages.js';
import { anthropicProviderSchema, modelSchema } from '../../../../dataplane/config/schema.js';
import { isGatewayError } from '../../../../dataplane/errors/gateway-error.js';
import { createAnthropicProvider } from '../../../../dataplane/providers/anthropic/index.js';
import type { CallOptions, Provider, StreamItem } from '../../../../dataplane/providers/types.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
type Handler = (res: ServerResponse) => void | Promise<void>;

// Function tools only, as the dispatch stage lets through to this provider.
const parseChat = (body: unknown): ChatRequest => chatRequestSchema.parse(body) as ChatRequest;

const events: AnthropicStreamEvent[] = [
  {
    type: 'message_start',
    message: {
      id: 'msg_01Stream',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 25,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 5,
      },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Héllo' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' wörld' } },
  { type: 'content_block_stop', index: 0 },
  {
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: {} },
  },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"x"}' } },
  { type: 'content_block_stop', index: 1 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 15 },
  },
  { type: 'message_stop' },
];

// Anthropic's spacing ("key": value) so pass-through is checked against text we did not produce ourselves.
const wireJson = (event: AnthropicStreamEvent) => JSON.stringify(event, null, 1).replace(/\n\s*/g, ' ');
const sse = (list: AnthropicStreamEvent[]) =>
  list.map((e) => `event: ${e.type}\ndata: ${wireJson(e)}\n\n`).join('');

/** Writes in small uneven pieces so events and multi-byte characters straddle network chunks. */
async function writeSlowly(res: ServerResponse, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += 37) {
    res.write(bytes.subarray(i, i + 37));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const sseHead = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

async function collect<T>(stream: AsyncIterable<StreamItem<T>>): Promise<StreamItem<T>[]> {
  const out: StreamItem<T>[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe('createAnthropicProvider over HTTP', () => {
  let server: Server;
  let provider: Provider;
  let handler: Handler = (res) => void res.end();
  const seen: Seen[] = [];
  const closed: boolean[] = [];

  const call = (onUpstreamHeaders?: () => void): CallOptions => ({
    signal: new AbortController().signal,
    requestId: 'req-42',
    model: {
      id: 'claude',
      upstreamModel: 'claude-sonnet-4-5-20250929',
      config: modelSchema.parse({ provider: 'anthropic', max_output_tokens: 1000 }),
    },
    ...(onUpstreamHeaders === undefined ? {} : { onUpstreamHeaders }),
  });

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        seen.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: JSON.parse(text) as Record<string, unknown>,
        });
        res.on('close', () => closed.push(res.writableFinished));
        void handler(res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    provider = createAnthropicProvider(
      'anthropic',
      anthropicProviderSchema.parse({
        type: 'anthropic',
        base_url: `http://127.0.0.1:${port}`,
        api_key: 'sk-test',
      }),
    );
  });

  after(async () => {
    await provider.close();
    server.closeAllConnections();
    server.close();
  });

  it('streams native messages through with the exact upstream text', async () => {
    handler = async (res) => {
      res.writeHead(200, sseHead);
      await writeSlowly(res, sse(events));
      res.end();
    };
    let headersSeen = 0;
    const request = messagesRequestSchema.parse({
      model: 'claude',
      max_tokens: 64,
      stream: true,
      top_k: 3,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const result = await provider.messages!(
      request,
      call(() => headersSeen++),
    );
    assert.equal(headersSeen, 1);
    assert.equal(result.stream, true);
    if (!result.stream) return;
    const items = await collect(result.events);
    assert.deepEqual(
      items.map((i) => i.data),
      events,
    );
    assert.deepEqual(
      items.map((i) => i.raw),
      events.map(wireJson),
    );

    const request0 = seen.at(-1)!;
    assert.equal(request0.method, 'POST');
    assert.equal(request0.url, '/v1/messages');
    assert.equal(request0.headers['x-api-key'], 'sk-test');
    assert.equal(request0.headers['anthropic-version'], '2023-06-01');
    assert.equal(request0.headers['x-request-id'], 'req-42');
    assert.equal(request0.headers['content-type'], 'application/json');
    assert.deepEqual(request0.body, { ...request, model: 'claude-sonnet-4-5-20250929' });
  });

  it('returns a native non-streamed message with its raw text', async () => {
    const raw =
      '{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}';
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(raw);
    };
    const result = await provider.messages!(
      messagesRequestSchema.parse({
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      call(),
    );
    assert.equal(result.stream, false);
    if (result.stream) return;
    assert.equal(result.raw, raw);
    assert.equal(result.body.id, 'msg_1');
  });

  it('translates a streamed chat request and its answer', async () => {
    handler = async (res) => {
      res.writeHead(200, sseHead);
      await writeSlowly(res, sse(events));
      res.end();
    };
    const request = parseChat({
      model: 'claude',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    const result = await provider.chat(request, call());
    assert.equal(result.stream, true);
    if (!result.stream) return;
    const items: StreamItem<ChatChunk>[] = await collect(result.chunks);

    assert.deepEqual(seen.at(-1)!.body, {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1000,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
    });
    assert.ok(items.every((i) => i.raw === undefined && i.data.id === 'msg_01Stream'));
    const text = items.map((i) => i.data.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'Héllo wörld');
    const args = items
      .map((i) => i.data.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    assert.equal(args, '{"q":"x"}');
    assert.equal(items.at(-2)!.data.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(items.at(-1)!.data.usage, {
      prompt_tokens: 30,
      completion_tokens: 15,
      total_tokens: 45,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });

  it('translates a non-streamed chat answer', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_2',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [{ type: 'text', text: 'Bonjour' }],
          stop_reason: 'max_tokens',
          stop_sequence: null,
          usage: { input_tokens: 8, output_tokens: 2 },
        }),
      );
    };
    const result = await provider.chat(
      parseChat({
        model: 'claude',
        max_tokens: 2,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      call(),
    );
    assert.equal(result.stream, false);
    if (result.stream) return;
    assert.equal(result.raw, undefined);
    assert.equal(seen.at(-1)!.body.max_tokens, 2);
    assert.equal(result.body.choices[0]!.message.content, 'Bonjour');
    assert.equal(result.body.choices[0]!.finish_reason, 'length');
    assert.equal(result.body.usage!.total_tokens, 10);
  });

  it('mirrors a 529 overloaded answer with its status, type and retry-after', async () => {
    handler = (res) => {
      res.writeHead(529, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    };
    await assert.rejects(
      provider.chat(parseChat({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }] }), call()),
      (error: unknown) => {
        assert.ok(isGatewayError(error));
        assert.equal(error.status, 529);
        assert.equal(error.type, 'overloaded_error');
        assert.equal(error.message, 'Overloaded');
        assert.equal(error.upstreamCode, 'overloaded_error');
        assert.deepEqual(error.headers, { 'retry-after': '7' });
        return true;
      },
    );
  });

  it('throws an in-stream error event', async () => {
    handler = async (res) => {
      res.writeHead(200, sseHead);
      await writeSlowly(res, sse(events.slice(0, 4)));
      res.end(
        'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n',
      );
    };
    const result = await provider.messages!(
      messagesRequestSchema.parse({
        model: 'claude',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      call(),
    );
    assert.ok(result.stream);
    await assert.rejects(collect(result.events), (error: unknown) => {
      assert.ok(isGatewayError(error));
      assert.equal(error.code, 'upstream_error');
      assert.equal(error.type, 'overloaded_error');
      return true;
    });
  });

  it('throws stream_interrupted when the body ends or the socket dies before message_stop', async () => {
    const request = parseChat({
      model: 'claude',
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    for (const cut of ['end', 'destroy'] as const) {
      handler = async (res) => {
        res.writeHead(200, sseHead);
        await writeSlowly(res, sse(events.slice(0, 5)));
        if (cut === 'end') res.end();
        else res.socket?.destroy();
      };
      const result = await provider.chat(request, call());
      assert.ok(result.stream);
      await assert.rejects(collect(result.chunks), (error: unknown) => {
        assert.ok(isGatewayError(error), cut);
        assert.equal(error.code, 'stream_interrupted', cut);
        return true;
      });
    }
  });

  it('closes the upstream connection when the consumer stops early', async () => {
    const before = closed.length;
    handler = (res) => {
      res.writeHead(200, sseHead);
      res.write(sse(events.slice(0, 1)));
      // The rest never comes: only the consumer leaving can end this response.
    };
    const result = await provider.messages!(
      messagesRequestSchema.parse({
        model: 'claude',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      call(),
    );
    assert.ok(result.stream);
    for await (const item of result.events) {
      assert.equal(item.data.type, 'message_start');
      break;
    }
    while (closed.length === before) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(closed.at(-1), false);
  });
});
