// Bad input of every kind gets a 4xx in the OpenAI error shape, leaves a record, and never hurts the process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';

interface ErrorBody {
  type?: string;
  error: { message: string; type: string; code: string; param: string | null };
}

describe('bad input', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      server: { max_body_bytes: 4096 },
      models: { 'sim-fast': { provider: 'simulator', simulation: { ttft_ms: 0, tokens_per_second: 0 } } },
    });
  });
  after(() => gateway.shutdown(0));

  async function send(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<{ status: number; body: ErrorBody; headers: Record<string, unknown> }> {
    const response = await request(`${gateway.url}${path}`, { method, body: body ?? null, headers });
    const text = await response.body.text();
    return { status: response.statusCode, body: JSON.parse(text) as ErrorBody, headers: response.headers };
  }

  function assertErrorShape(body: ErrorBody, code: string): void {
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0);
    assert.equal(typeof body.error.type, 'string');
    assert.equal(body.error.code, code);
    assert.ok('param' in body.error);
  }

  it('malformed JSON → 400 invalid_json', async () => {
    const r = await send('POST', '/v1/chat/completions', '{"model":"sim-fast",');
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_json');
    assert.equal(r.body.error.type, 'invalid_request_error');
  });

  it('a compressed body → 415 unsupported_encoding, and the connection keeps serving', async () => {
    const body = JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }] });
    const zipped = await send('POST', '/v1/chat/completions', gzipSync(body), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(zipped.status, 415);
    assertErrorShape(zipped.body, 'unsupported_encoding');
    assert.equal(zipped.headers['accept-encoding'], 'identity');
    // Mislabelled (plain JSON said to be gzip): refused too, never guessed at.
    const mislabelled = await send('POST', '/v1/chat/completions', body, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(mislabelled.status, 415);
    const identity = await send('POST', '/v1/chat/completions', body, {
      'content-type': 'application/json',
      'content-encoding': 'identity',
    });
    assert.equal(identity.status, 200);
  });

  it('a JSON value that is not an object → 400', async () => {
    const r = await send('POST', '/v1/chat/completions', '[1,2]');
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_request');
  });

  it('wrong types → 400 naming the field', async () => {
    const r = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' }),
    );
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_request');
    assert.equal(r.body.error.param, 'temperature');
    assert.match(r.body.error.message, /temperature/);

    const nested = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 42 }] }),
    );
    assert.equal(nested.status, 400);
    assert.match(nested.body.error.param ?? '', /^messages\[0\]\.content/);
  });

  it('inside unions (content parts, tool_choice, stop, Anthropic blocks) the error names the field at fault', async () => {
    // Found by black-box testing: a text part without its text was blamed on its `type`, and tool_choice
    // without its function was told to be "custom".
    const chat = (extra: Record<string, unknown>) =>
      send(
        'POST',
        '/v1/chat/completions',
        JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }], ...extra }),
      );
    const part = (p: unknown) => chat({ messages: [{ role: 'user', content: [p] }] });
    const cases: [Promise<{ status: number; body: ErrorBody }>, string, RegExp][] = [
      [part({ type: 'text' }), 'messages[0].content[0].text', /^Missing required parameter/],
      [part({ type: 'text', text: 5 }), 'messages[0].content[0].text', /expected string, received number/],
      [
        part({ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'ultra' } }),
        'messages[0].content[0].image_url.detail',
        /"auto"\|"low"\|"high"/,
      ],
      [
        part({ type: 'image_url', image_url: 'https://x' }),
        'messages[0].content[0].image_url',
        /expected object/,
      ],
      [
        chat({ messages: [{ role: 'user', content: 5 }] }),
        'messages[0].content',
        /expected string or array\.$/,
      ],
      [chat({ tool_choice: { type: 'function' } }), 'tool_choice.function', /^Missing required parameter/],
      [chat({ tool_choice: 'maybe' }), 'tool_choice', /expected "none", "auto", "required" or object/],
      [chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop', /<=4 items/],
      [chat({ stop: 5 }), 'stop', /expected string or array/],
      // A role typo lists the roles (a discriminated union with no matching option).
      [
        chat({ messages: [{ role: 'human', content: 'hi' }] }),
        'messages[0].role',
        /'system' \| 'developer' \| 'user' \| 'assistant'/,
      ],
    ];
    for (const [answer, param, message] of cases) {
      const r = await answer;
      assert.equal(r.status, 400, param);
      assertErrorShape(r.body, 'invalid_request');
      assert.equal(r.body.error.param, param);
      assert.match(r.body.error.message, message, param);
      assert.doesNotMatch(r.body.error.message, /\.\.$/);
    }
    const tool = await send(
      'POST',
      '/v1/messages',
      JSON.stringify({
        model: 'sim-fast',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f' }] },
        ],
      }),
      { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    );
    assert.equal(tool.status, 400);
    assert.equal(tool.body.type, 'error');
    assert.match(tool.body.error.message, /'messages\[1\]\.content\[0\]\.input'/);
    // A missing field inside a nested union is missing, not invalid.
    const image = await send(
      'POST',
      '/v1/messages',
      JSON.stringify({
        model: 'sim-fast',
        max_tokens: 10,
        messages: [{ role: 'user', content: [{ type: 'image' }] }],
      }),
      { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    );
    assert.equal(image.status, 400);
    assert.match(
      image.body.error.message,
      /^Missing required parameter: 'messages\[0\]\.content\[0\]\.source'/,
    );
  });

  it('missing messages → 400 naming messages', async () => {
    const r = await send('POST', '/v1/chat/completions', JSON.stringify({ model: 'sim-fast' }));
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_request');
    assert.equal(r.body.error.param, 'messages');
    assert.match(r.body.error.message, /Missing required parameter: 'messages'/);
  });

  it('an unknown role → 400 naming the message', async () => {
    const r = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'sim-fast', messages: [{ role: 'wizard', content: 'hi' }] }),
    );
    assert.equal(r.status, 400);
    assert.match(r.body.error.param ?? '', /^messages\[0\]/);
  });

  it('empty body → 400', async () => {
    const r = await send('POST', '/v1/chat/completions', '');
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_request');
  });

  it('oversized body → 413, declared by content-length', async () => {
    const big = JSON.stringify({
      model: 'sim-fast',
      messages: [{ role: 'user', content: 'x'.repeat(10_000) }],
    });
    const r = await send('POST', '/v1/chat/completions', big);
    assert.equal(r.status, 413);
    assertErrorShape(r.body, 'body_too_large');
  });

  it('oversized body → 413, sent chunked without content-length', async () => {
    const chunks = async function* () {
      for (let i = 0; i < 10; i++) yield Buffer.from('x'.repeat(1000));
    };
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: Readable.from(chunks()),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.statusCode, 413);
    const body = (await response.body.json()) as ErrorBody;
    assertErrorShape(body, 'body_too_large');
  });

  it('invalid UTF-8 → 400 invalid_utf8', async () => {
    const prefix = Buffer.from('{"model":"sim-fast","messages":[{"role":"user","content":"');
    const suffix = Buffer.from('"}]}');
    const r = await send(
      'POST',
      '/v1/chat/completions',
      Buffer.concat([prefix, Buffer.from([0xc3, 0x28, 0xff]), suffix]),
    );
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'invalid_utf8');
  });

  it('unknown route → 404, wrong method → 405', async () => {
    const unknown = await send('GET', '/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assertErrorShape(unknown.body, 'not_found');
    const post = await send('POST', '/v2/chat/completions', '{}');
    assert.equal(post.status, 404);
    const wrong = await send('GET', '/v1/chat/completions');
    assert.equal(wrong.status, 405);
    assertErrorShape(wrong.body, 'method_not_allowed');
    const put = await send('PUT', '/v1/models', '{}');
    assert.equal(put.status, 405);
  });

  it('a 405 names the allowed method; on /v1/messages it carries the Anthropic envelope; probes too', async () => {
    const chat = await send('GET', '/v1/chat/completions');
    assert.equal(chat.headers.allow, 'POST');
    const models = await send('DELETE', '/v1/models');
    assert.equal(models.status, 405);
    assert.equal(models.headers.allow, 'GET, HEAD');
    const messages = await send('GET', '/v1/messages');
    assert.equal(messages.status, 405);
    assert.equal(messages.body.type, 'error');
    assertErrorShape(messages.body, 'method_not_allowed');
    assert.equal(messages.headers.allow, 'POST');
    for (const probe of ['/healthz', '/readyz', '/metrics']) {
      const r = await send('POST', probe, '{}');
      assert.equal(r.status, 405, probe);
      assertErrorShape(r.body, 'method_not_allowed');
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
  });

  it('HEAD is answered wherever GET is, and no answer to a HEAD carries a body', async () => {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // One request at a time on one connection: a body sent after a HEAD answer would show up in front of the
    // next answer's status line.
    const exchange = async (head: string, answers: number) => {
      const before = received.length;
      socket.write(`${head}\r\nHost: x\r\n\r\n`);
      await waitFor(() => {
        const text = received.slice(before);
        return (text.match(/^HTTP\/1\.1 /gm) ?? []).length >= answers && /\r\n\r\n/.test(text)
          ? text
          : undefined;
      }, head);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return received.slice(before);
    };
    for (const [path, status] of [
      ['/v1/models', 200],
      ['/healthz', 200],
      ['/readyz', 200],
      ['/metrics', 200],
      ['/v1/chat/completions', 405],
      ['/v1/nothing-here', 404],
    ] as const) {
      const answer = await exchange(`HEAD ${path} HTTP/1.1`, 1);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), path);
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(answer);
      assert.ok(length !== null && Number(length[1]) > 0, `${path}: the length GET would have`);
      assert.ok(answer.endsWith('\r\n\r\n'), `${path}: no body after the headers`);
    }
    const get = await exchange('GET /v1/models HTTP/1.1', 1);
    assert.match(get, /^HTTP\/1\.1 200 /);
    assert.match(get, /"object":"list"/);
    socket.destroy();
  });

  it('unknown model → 404 model_not_found', async () => {
    const r = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'gpt-nope', messages: [{ role: 'user', content: 'hi' }] }),
    );
    assert.equal(r.status, 404);
    assertErrorShape(r.body, 'model_not_found');
    assert.equal(r.body.error.param, 'model');
  });

  it('embeddings input as OpenAI checks it: missing, empty or negative token ids → 400 naming input', async () => {
    const missing = await send('POST', '/v1/embeddings', JSON.stringify({ model: 'e' }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.message, "Missing required parameter: 'input'.");
    assert.equal(missing.body.error.param, 'input');
    for (const input of ['', [''], [-1, 2], [[3, -4]]]) {
      const r = await send('POST', '/v1/embeddings', JSON.stringify({ model: 'e', input }));
      assert.equal(r.status, 400, JSON.stringify(input));
      assertErrorShape(r.body, 'invalid_request');
      assert.match(r.body.error.param ?? '', /^input/);
    }
  });

  it('an unknown model id of any length is quoted in at most 200 characters', async () => {
    const r = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'm'.repeat(3000), messages: [{ role: 'user', content: 'hi' }] }),
    );
    assert.equal(r.status, 404);
    assert.ok(r.body.error.message.length < 300, `${r.body.error.message.length} characters`);
  });

  it('a tool_choice forcing a tool the request does not offer → 400 naming it, on both APIs', async () => {
    const weather = {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
    };
    const chat = (extra: Record<string, unknown>) =>
      send(
        'POST',
        '/v1/chat/completions',
        JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'hi' }], ...extra }),
      );
    const required = await chat({ tool_choice: 'required' });
    assert.equal(required.status, 400);
    assertErrorShape(required.body, 'invalid_request');
    assert.equal(required.body.error.param, 'tool_choice');
    const missing = await chat({
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.param, 'tool_choice.function.name');
    assert.match(missing.body.error.message, /'get_time', which is not in 'tools'/);
    // Offered, or not forcing anything: served.
    const named = await chat({
      tools: [weather],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    assert.equal(named.status, 200);
    assert.equal((await chat({ tool_choice: 'none' })).status, 200);

    const messages = (extra: Record<string, unknown>) =>
      send(
        'POST',
        '/v1/messages',
        JSON.stringify({
          model: 'sim-fast',
          max_tokens: 16,
          messages: [{ role: 'user', content: 'hi' }],
          ...extra,
        }),
      );
    const any = await messages({ tool_choice: { type: 'any' } });
    assert.equal(any.status, 400);
    assert.equal(any.body.type, 'error');
    assert.equal(any.body.error.param, 'tool_choice');
    const tool = { name: 'get_weather', input_schema: { type: 'object' } };
    const unnamed = await messages({ tools: [tool], tool_choice: { type: 'tool' } });
    assert.equal(unnamed.status, 400);
    assert.equal(unnamed.body.error.param, 'tool_choice.name');
    const other = await messages({ tools: [tool], tool_choice: { type: 'tool', name: 'get_time' } });
    assert.equal(other.status, 400);
    assert.match(other.body.error.message, /'get_time', which is not in 'tools'/);
    assert.equal(
      (await messages({ tools: [tool], tool_choice: { type: 'tool', name: 'get_weather' } })).status,
      200,
    );
  });

  it('a chat model on the embeddings route → 400', async () => {
    const r = await send('POST', '/v1/embeddings', JSON.stringify({ model: 'sim-fast', input: 'hello' }));
    assert.equal(r.status, 400);
    assertErrorShape(r.body, 'unsupported_operation');
  });

  it('errors on /v1/messages carry the Anthropic envelope too, and its request-id header', async () => {
    const r = await send('POST', '/v1/messages', JSON.stringify({ model: 'sim-fast', messages: [] }));
    assert.equal(r.status, 400);
    assert.equal(r.body.type, 'error');
    assertErrorShape(r.body, 'invalid_request');
    // Anthropic's SDKs read their request id from `request-id` (found by SDK testing: it was null).
    assert.equal(r.headers['request-id'], r.headers['x-request-id']);
    // A route the gateway lacks, called by an Anthropic SDK: Anthropic's envelope.
    const batches = await send('POST', '/v1/messages/batches', JSON.stringify({ requests: [] }), {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
    });
    assert.equal(batches.status, 404);
    assert.equal(batches.body.type, 'error');
    assert.equal(batches.body.error.type, 'not_found_error');
    // OpenAI clients keep OpenAI's shape and no request-id.
    const chat = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'sim-fast', messages: [] }),
    );
    assert.equal(chat.body.type, undefined);
    assert.equal(chat.headers['request-id'], undefined);
  });

  it('every rejected request left a record, and the gateway still serves', async () => {
    const ok = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'sim-fast', messages: [{ role: 'user', content: 'still there?' }] }),
    });
    assert.equal(ok.statusCode, 200);
    await ok.body.json();
    const records = await waitFor(
      () => gateway.records.length >= 17 && gateway.records,
      'one record per request',
    );
    const statuses = records.map((r) => r.status);
    assert.ok(statuses.includes(413));
    assert.ok(statuses.includes(404));
    assert.ok(statuses.includes(405));
    assert.ok(records.some((r) => r.error_code === 'invalid_utf8'));
    assert.equal(records.at(-1)?.status, 200);
    for (const record of records)
      assert.match(record.request_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
  });

  it('a request refused for its schema is recorded with the model and stream flag its body named', async () => {
    // Found by black-box testing: such records had no model and stream false, so errors could not be broken
    // down by either.
    const before = gateway.records.length;
    const refused = await send(
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'sim-fast', stream: true, n: 0, messages: [{ role: 'user', content: 'hi' }] }),
    );
    assert.equal(refused.status, 400);
    const record = await waitFor(() => gateway.records.slice(before).at(0), 'the record');
    assert.equal(record.error_code, 'invalid_request');
    assert.equal(record.model_requested, 'sim-fast');
    assert.equal(record.stream, true);
    // A model that is not a string is none; /v1/analyze never streams whatever its body says.
    const odd = gateway.records.length;
    await send('POST', '/v1/chat/completions', JSON.stringify({ model: 5, messages: [] }));
    await send(
      'POST',
      '/v1/analyze',
      JSON.stringify({ model: 'sim-fast', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    );
    const [numeric, analyzed] = await waitFor(
      () => gateway.records.length >= odd + 2 && gateway.records.slice(odd),
      'both records',
    );
    assert.equal(numeric!.model_requested, null);
    assert.equal(analyzed!.stream, false);
  });

  it('a client gone in the middle of its body: recorded as client_aborted, no longer in flight', async () => {
    const before = gateway.records.length;
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 64\r\n\r\n{"model":"',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const record = await waitFor(
      () => gateway.records.slice(before).find((r) => r.error_code === 'client_aborted'),
      'the aborted request is recorded',
    );
    assert.equal(record.status, 0);
    assert.equal(record.client_aborted, true);
    const inFlight = await waitFor(async () => {
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      return /^gateway_in_flight_requests 0$/m.test(metrics) || undefined;
    }, 'nothing left in flight');
    assert.equal(inFlight, true);
  });

  it('JSON nested far too deep → 400, on every endpoint that reads a body', async () => {
    const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    const chat = `{"model":"sim-fast","messages":[{"role":"user","content":"hi"}],"metadata":{"x":${deep(1500)}}}`;
    for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/analyze', '/v1/embeddings']) {
      const r = await send('POST', path, chat);
      assert.equal(r.status, 400, path);
      assertErrorShape(r.body, 'invalid_request');
      assert.match(r.body.error.message, /more than 100 levels/);
    }
    // A deep but sane tool schema still passes the check (and fails or succeeds on its own merits).
    const schema: Record<string, unknown> = { type: 'string' };
    let nested = schema;
    for (let i = 0; i < 20; i++) nested = { type: 'object', properties: { a: nested } };
    const ok = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'sim-fast',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: nested } }],
      }),
    });
    assert.equal(ok.statusCode, 200);
    await ok.body.json();
  });

  /** Sends raw bytes on a fresh connection; what came back before the server closed it (or 3 s passed). */
  async function raw(bytes: string): Promise<{ received: string; closed: boolean }> {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    socket.write(bytes);
    const byServer = await Promise.race([
      closed,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
    ]);
    socket.destroy();
    return { received, closed: byServer };
  }

  it('a Content-Length of ten digits or more, which uWS cannot read: closed at once and recorded so, not as a 413', async () => {
    // uWS closes such a connection after the handler returns, dropping any answer: a 413 written then was
    // recorded as sent and never arrived.
    for (const length of ['1000000000', '4294967296', '0000000013']) {
      const before = gateway.records.length;
      const r = await raw(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n{"a":1}`,
      );
      assert.equal(r.closed, true, length);
      assert.equal(r.received, '', length);
      const record = await waitFor(
        () => gateway.records.slice(before).find((x) => x.error_code !== null),
        'the refusal is recorded',
      );
      assert.equal(record.error_code, 'ambiguous_framing', length);
      assert.match(record.error_message ?? '', /more than nine digits/);
      assert.equal(record.bytes_out, 0);
    }
    // Nine digits are read: a body declared that large is refused with a 413 that arrives.
    const nine = await raw(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{"a":1}',
    );
    assert.match(nine.received, /^HTTP\/1\.1 413 /);
  });

  it('two Content-Length headers: the connection is closed at once, nothing smuggled, the refusal recorded', async () => {
    const before = gateway.records.length;
    const smuggled = 'GET /v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const body = `{"model":"x"}${smuggled}`;
    const lengths = `Content-Length: 13\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // uWS would answer the smuggled request if the connection lived on; it gets nothing, on every route.
    for (const line of ['POST /v1/chat/completions', 'GET /healthz', 'GET /readyz', 'GET /metrics']) {
      const r = await raw(`${line} HTTP/1.1\r\nHost: x\r\n${lengths}`);
      assert.equal(r.closed, true, line);
      assert.equal(r.received, '', line);
    }
    // A repeated or unusual Transfer-Encoding is refused the same way.
    for (const encoding of [
      'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
    ]) {
      const r = await raw(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n${encoding}\r\n\r\n0\r\n\r\n${smuggled}`,
      );
      assert.equal(r.closed, true, encoding);
      assert.doesNotMatch(r.received, /smuggled/, encoding);
    }
    const record = await waitFor(
      () => gateway.records.slice(before).find((r) => r.error_code === 'ambiguous_framing'),
      'the refusal is recorded',
    );
    assert.equal(record.status, 400);
    assert.equal(record.client_aborted, false);
    assert.match(record.error_message ?? '', /more than one Content-Length/);
    // Each refusal's record says what was wrong with the framing.
    await waitFor(
      () => gateway.records.slice(before).filter((r) => r.error_code === 'ambiguous_framing').length >= 3,
      'the three refusals are recorded (probes are not)',
    );
    const messages = gateway.records
      .slice(before)
      .filter((r) => r.error_code === 'ambiguous_framing')
      .map((r) => r.error_message ?? '');
    assert.ok(
      messages.some((m) => /more than one Transfer-Encoding/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /Transfer-Encoding other than chunked/.test(m)),
      messages.join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(
      gateway.records.slice(before).some((r) => r.path.includes('smuggled')),
      false,
    );
  });
});
