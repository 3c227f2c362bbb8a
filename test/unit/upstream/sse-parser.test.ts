// The SSE parser follows the WHATWG rules whatever the network chunking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseDecoder, type SseEvent } from '../../../dataplane/upstream/sse-parser.js';

/** The events of a body delivered in these chunks, and of its end. */
function parse(chunks: (string | Uint8Array)[]): SseEvent[] {
  const sse = new SseDecoder();
  const out: SseEvent[] = [];
  for (const chunk of chunks) out.push(...sse.push(chunk));
  out.push(...sse.end());
  return out;
}

describe('SSE parsing', () => {
  it('parses data and event fields, ignoring comments', () => {
    const events = parse([': keep-alive\n\nevent: ping\ndata: {}\n\ndata: {"a":1}\n\ndata: [DONE]\n\n']);
    assert.deepEqual(events, [
      { event: 'ping', data: '{}' },
      { event: undefined, data: '{"a":1}' },
      { event: undefined, data: '[DONE]' },
    ]);
  });

  it('handles CRLF and CR line endings, also split between chunks', () => {
    const events = parse(['data: one\r', '\n\r\ndata: two\r\rdata: three\n', '\n']);
    assert.deepEqual(
      events.map((e) => e.data),
      ['one', 'two', 'three'],
    );
  });

  it('joins multi-line data with \\n', () => {
    const events = parse(['data: a\ndata: b\n\n']);
    assert.equal(events[0]?.data, 'a\nb');
  });

  it('decodes UTF-8 characters split across chunks', () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍 世界\n\n');
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
    const events = parse(chunks);
    assert.equal(events[0]?.data, 'héllo 🌍 世界');
  });

  it('keeps a final data line that lacks its blank line', () => {
    const events = parse(['data: x\n\ndata: last']);
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
