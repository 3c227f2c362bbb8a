// The pieces of the audit log of bodies: bounded capture (bytes, frames), the answer assembled from SSE
// frames of both dialects, and the row mapper that redacts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleSseAnswer } from '../../../analytics/bodies/assemble-sse.js';
import { FrameCapture, truncateUtf8, truncateUtf8Bytes } from '../../../analytics/bodies/capture.js';
import type { BodyRecord } from '../../../analytics/bodies/record.js';
import { createBodyRowMapper } from '../../../analytics/bodies/redact-bodies.js';

const chatFrame = (content: string) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;

const bodyRecord = (patch: Partial<BodyRecord>): BodyRecord => ({
  request_id: '0190a4b2-0000-7000-8000-000000000001',
  started_at: '2026-01-01T00:00:00.000Z',
  team: 'acme',
  app: 'search',
  request_body: '',
  response_body: '',
  request_truncated: false,
  response_truncated: false,
  response_stream: false,
  ...patch,
});

describe('body capture', () => {
  it('cuts bytes on a character boundary and flags it', () => {
    assert.deepEqual(truncateUtf8Bytes(Buffer.from('abc'), 3), { text: 'abc', truncated: false });
    // 'é' is two bytes: a cut at 3 would split the second one.
    assert.deepEqual(truncateUtf8Bytes(Buffer.from('éé'), 3), { text: 'é', truncated: true });
    assert.deepEqual(truncateUtf8('🙂🙂', 5), { text: '🙂', truncated: true });
    assert.deepEqual(truncateUtf8('short', 5), { text: 'short', truncated: false });
  });

  it('keeps frames up to the bound and flags the rest', () => {
    const capture = new FrameCapture(10);
    capture.add('12345');
    capture.add('67890abc');
    capture.add('more');
    assert.equal(capture.text(), '1234567890');
    assert.equal(capture.truncated, true);
  });
});

describe('assembleSseAnswer', () => {
  it('concatenates chat deltas of the first choice, ignoring [DONE] and other choices', () => {
    const frames =
      chatFrame('Hel') +
      `data: ${JSON.stringify({ choices: [{ index: 1, delta: { content: 'other' } }] })}\n\n` +
      chatFrame('lo') +
      'data: [DONE]\n\n';
    assert.equal(assembleSseAnswer(frames), 'Hello');
  });

  it('includes tool-call argument fragments', () => {
    const call = (args: string) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: args } }] } }] })}\n\n`;
    assert.equal(assembleSseAnswer(call('{"to":') + call('"x"}')), '{"to":"x"}');
  });

  it('concatenates Anthropic text deltas', () => {
    const event = (data: unknown) => `event: x\ndata: ${JSON.stringify(data)}\n\n`;
    const frames =
      event({ type: 'message_start', message: {} }) +
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi ' } }) +
      event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'there' } });
    assert.equal(assembleSseAnswer(frames), 'Hi there');
  });

  it('returns undefined for frames it does not know', () => {
    assert.equal(assembleSseAnswer('data: {"foo":1}\n\n'), undefined);
  });
});

describe('body row mapper', () => {
  it('redacts both bodies with one placeholder numbering, and assembles a stream before redacting', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 1024 });
    const row = map(
      bodyRecord({
        request_body: '{"content":"mail bob@example.com"}',
        // The address is split over three frames: only the assembled answer shows it whole.
        response_body: chatFrame('ok, bob@') + chatFrame('example') + chatFrame('.com and eve@example.net'),
        response_stream: true,
      }),
    ) as Record<string, unknown>;
    assert.equal(row.request_body, '{"content":"mail [EMAIL_1]"}');
    assert.equal(row.response_body, 'ok, [EMAIL_1] and [EMAIL_2]');
    assert.equal('response_stream' in row, false, 'not a column');
  });

  it('a placeholder written in either body is never handed out: the stored text cannot say two things with it', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 1024 });
    const row = map(
      bodyRecord({
        request_body: '{"content":"the form has [EMAIL_1]; mine is bob@example.com"}',
        response_body: '{"content":"Put bob@example.com where [EMAIL_2] is"}',
      }),
    ) as Record<string, unknown>;
    assert.equal(row.request_body, '{"content":"the form has [EMAIL_1]; mine is [EMAIL_3]"}');
    assert.equal(row.response_body, '{"content":"Put [EMAIL_3] where [EMAIL_2] is"}');
    // Written with an escape in a JSON string, it is the same literal once decoded.
    const escaped = map(
      bodyRecord({
        request_body:
          '{"messages":[{"content":"mine is bob@example.com"},{"content":"the form has \\u005bEMAIL_1]"}]}',
      }),
    ) as Record<string, unknown>;
    assert.equal(
      escaped.request_body,
      '{"messages":[{"content":"mine is [EMAIL_2]"},{"content":"the form has \\u005bEMAIL_1]"}]}',
    );
  });

  it('redacts JSON bodies on their decoded strings: escapes hide nothing and the stored JSON stays valid', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 1024 });
    // What Python's json.dumps sends by default (ensure_ascii), and escapes a client may use on purpose.
    const request =
      '{"messages":[{"role":"user","content":"mail eve\\u0040example.com or j\\u00f6rg.m\\u00fcller@example.de, ' +
      'card 4111\\u00201111\\u00201111\\u00201111"}],"metadata":{"password":"hunter2-Xq9vB7zL4pW"}}';
    const row = map(
      bodyRecord({ request_body: request, response_body: '{"id":"x","choices":[]}' }),
    ) as Record<string, string>;
    const stored = JSON.parse(row.request_body!) as {
      messages: { content: string }[];
      metadata: { password: string };
    };
    assert.equal(stored.messages[0]!.content, 'mail [EMAIL_1] or [EMAIL_2], card [CREDIT_CARD_1]');
    // A secret found through its property name, as in the raw text.
    assert.doesNotMatch(stored.metadata.password, /hunter2/);
    // Nothing found: the body is kept byte for byte.
    assert.equal(row.response_body, '{"id":"x","choices":[]}');
  });

  it('a JSON body cut short is scanned with its \\u escapes decoded', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 1024 });
    const row = map(
      bodyRecord({ request_body: '{"content":"write to eve\\u0040example.com and', request_truncated: true }),
    ) as Record<string, string>;
    // The cut string is written back closed (it was not valid JSON before either).
    assert.equal(row.request_body, '{"content":"write to [EMAIL_1] and"');
  });

  it('numbers, member names and array items under a name are scanned; the rest stays byte for byte', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 4096 });
    const body =
      '{"card": 4111111111111111, "ssn":123456789, "phone":["4155550123"], ' +
      '"bob@example.com": 1, "n": 12345678901234567890, "f": 1.0, "a": 1, "a": 2, ' +
      '"__proto__": {"note": "mail eve@example.org"}}';
    const row = map(bodyRecord({ request_body: body })) as Record<string, string>;
    const stored = row.request_body!;
    assert.doesNotMatch(stored, /4111111111111111|123456789[^0-9]|4155550123|bob@|eve@/);
    assert.match(stored, /"card": "\[CREDIT_CARD_1\]"/);
    assert.match(stored, /"phone":\["\[PHONE_1\]"\]/);
    // Untouched tokens keep their spelling: big numbers, 1.0, duplicate names, __proto__'s subtree.
    assert.match(stored, /"n": 12345678901234567890, "f": 1\.0, "a": 1, "a": 2/);
    assert.match(stored, /"__proto__": \{"note": "mail \[EMAIL_\d\]"\}/);
  });

  it('text that only starts like JSON is scanned whole; long names cost no more than short ones', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 64 * 1024 });
    const answer = '[1] Write to bob@example.com or call 415-555-2671.';
    const row = map(bodyRecord({ request_body: '{"a":1}', response_body: answer })) as Record<string, string>;
    assert.doesNotMatch(row.response_body!, /bob@|415-555/);
    const negative = map(bodyRecord({ request_body: '{"phone": -4155552671}' })) as Record<string, string>;
    assert.equal(negative.request_body, '{"phone": "[PHONE_1]"}');
    // A long member name is context by its end only (the scan of each item under it stays short).
    const long = `{"${'k'.repeat(16_000)} password": ["hunter2-Xq9vB7zL4pW"]}`;
    const stored = (map(bodyRecord({ request_body: long })) as Record<string, string>).request_body!;
    assert.doesNotMatch(stored, /hunter2/);
  });

  it('a body nested thousands of levels deep is redacted without recursion', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 64 * 1024 });
    const deep = '['.repeat(6000) + '"eve@example.org"' + ']'.repeat(6000);
    const row = map(bodyRecord({ request_body: deep })) as Record<string, string>;
    assert.equal(row.request_body, '['.repeat(6000) + '"[EMAIL_1]"' + ']'.repeat(6000));
  });

  it('cuts an assembled answer to max_bytes and flags it', () => {
    const map = createBodyRowMapper({ redact: false, maxBytes: 4 });
    const row = map(bodyRecord({ response_body: chatFrame('abcdef'), response_stream: true })) as Record<
      string,
      unknown
    >;
    assert.equal(row.response_body, 'abcd');
    assert.equal(row.response_truncated, true);
  });

  it('a cut streamed answer that starts with [ or { is still scanned as text', () => {
    const map = createBodyRowMapper({ redact: true, maxBytes: 60 });
    for (const opening of ['[1] Contact', '{1} Contact']) {
      const answer = `${opening} John at john.doe@example.com or +1 415 555 2671 for the details of the plan.`;
      const row = map(bodyRecord({ response_body: chatFrame(answer), response_stream: true })) as Record<
        string,
        unknown
      >;
      assert.equal(row.response_truncated, true);
      assert.doesNotMatch(String(row.response_body), /john\.doe@example\.com/, opening);
      assert.match(String(row.response_body), /\[EMAIL_1\]/, opening);
    }
  });
});
