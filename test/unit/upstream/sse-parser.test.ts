// The SSE parser follows the WHATWG rules whatever the network chunking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSse, SseDecoder, type SseEvent } from '../../../dataplane/upstream/sse-parser.js';

async function parse(chunks: (string | Uint8Array)[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const event of parseSse(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(event);
  return out;
}

describe('parseSse', () => {
  it('parses data and event fields, ignoring comments', async () => {
    const events = await parse([
      ': keep-alive\n\nevent: ping\ndata: {}\n\ndata: {"a":1}\n\ndata: [DONE]\n\n',
    ]);
    assert.deepEqual(events, [
      { event: 'ping', data: '{}' },
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('handles CRLF and CR line endings, also split between chunks', async () => {
    const events = await parse(['data: one\r', '\n\r\ndata: two\r\rdata: three\n', '\n']);
    assert.deepEqual(
      events.map((e) => e.data),
      ['one', 'two', 'three'],
    );
  });

  it('joins multi-line data with \\n', async () => {
    const events = await parse(['data: a\ndata: b\n\n']);
    assert.equal(events[0]?.data, 'a\nb');
  });

  it('decodes UTF-8 characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍 世界\n\n');
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    const events = await parse(chunks);
    assert.equal(events[0]?.data, 'héllo 🌍 世界');
  });

  it('keeps a final data line that lacks its blank line', async () => {
    const events = await parse(['data: x\n\ndata: last']);
    assert.deepEqual(
      events.map((e) => e.data),
      ['x', 'last'],
    );
  });
});

describe('SseDecoder', () => {
  it('returns the events each chunk completes, together, and keeps the rest for the next chunk', () => {
    const sse = new SseDecoder();
    assert.deepEqual(sse.push('data: 1\n\ndata: 2\n\nda'), [
      { event: undefined, data: '1' },
      { event: undefined, data: '2' },
    ]);
    assert.deepEqual(sse.push('ta: 3\n'), []);
    assert.deepEqual(sse.push('\nevent: x\ndata: 4'), [{ event: undefined, data: '3' }]);
    assert.deepEqual(sse.end(), [{ event: 'x', data: '4' }]);
    assert.deepEqual(sse.end(), [], 'nothing is left after the end');
  });
});
