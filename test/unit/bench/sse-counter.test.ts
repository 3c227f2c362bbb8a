// The generator's SSE chunk counter, on synthetic streams cut at every byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseCounter } from '../../../bench/load/sse-counter.js';

function count(raw: string, cut?: number): SseCounter {
  const counter = new SseCounter();
  const bytes = Buffer.from(raw);
  if (cut === undefined) counter.push(bytes);
  else {
    counter.push(bytes.subarray(0, cut));
    counter.push(bytes.subarray(cut));
  }
  return counter;
}

const STREAM =
  'data: {"a":1}\n\n' +
  'data:{"b":"data: [DONE]"}\n\n' +
  ': comment\n\n' +
  'event: x\ndata: {"c":3}\n\n' +
  'data: [DONE]\n\n';

describe('SseCounter', () => {
  it('counts JSON events and sees [DONE], in every split', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const c = count(STREAM, cut);
      assert.equal(c.jsonEvents, 3, `cut at ${cut}`);
      assert.equal(c.dataLines, 4);
      assert.ok(c.doneSeen);
      assert.ok(!c.trailingGarbage);
    }
  });

  it('handles CRLF line endings', () => {
    const c = count(STREAM.replaceAll('\n', '\r\n'));
    assert.equal(c.jsonEvents, 3);
    assert.ok(c.doneSeen);
  });

  it('does not take [DONE] inside a payload or with a suffix for the end', () => {
    assert.ok(!count('data: [DONE]x\n\n').doneSeen);
    assert.ok(!count('data: {"t":"[DONE]"}\n\n').doneSeen);
    assert.ok(!count('data: [DONE').doneSeen, 'an unterminated line is not an end');
  });

  it('flags events after [DONE]', () => {
    assert.ok(count('data: [DONE]\n\ndata: {}\n\n').trailingGarbage);
    assert.ok(!count('data: [DONE]\n\n\n').trailingGarbage);
  });

  it('reports the first data line as soon as its prefix arrives', () => {
    const c = new SseCounter();
    assert.equal(c.push(Buffer.from('dat')), 0);
    assert.equal(c.push(Buffer.from('a: {')), 1);
  });

  it('resets between responses', () => {
    const c = count(STREAM);
    c.reset();
    assert.equal(c.dataLines, 0);
    assert.ok(!c.doneSeen);
    c.push(Buffer.from('data: 1\n\n'));
    assert.equal(c.jsonEvents, 1);
  });
});
