// A cached answer's Redis string: the usage survives the round trip, and answers stored by an earlier version
// (without the cache-write count) still decode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAnswer, encodeAnswer } from '../../../dataplane/cache/answer-codec.js';
import type { CachedAnswer } from '../../../dataplane/cache/answer.js';

const answer: CachedAnswer = {
  endpoint: 'messages',
  storedAt: 1_795_760_000_000,
  usage: { prompt: 2110, completion: 7, cached: 2000, cacheWrite: 100, reasoning: 0 },
  body: '{"id":"msg_1","content":[{"type":"text","text":"a\\nb"}]}',
};

describe('answer codec', () => {
  it('round-trips an answer, usage and body byte for byte', () => {
    assert.deepEqual(decodeAnswer(encodeAnswer(answer)), answer);
  });

  it('reads an answer stored without the cache-write count as 0 cache writes', () => {
    const old = `chat 1795760000000 30 5 0 0\n{"id":"x"}`;
    assert.deepEqual(decodeAnswer(old), {
      endpoint: 'chat',
      storedAt: 1_795_760_000_000,
      usage: { prompt: 30, completion: 5, cached: 0, cacheWrite: 0, reasoning: 0 },
      body: '{"id":"x"}',
    });
  });

  it('treats anything else as a miss', () => {
    for (const text of [
      '',
      'chat 1 2 3 4 5',
      'chat 1 2 3 4\n{}',
      'chat 1 2 3 4 5 6 7\n{}',
      'other 1 2 3 4 5\n{}',
      'chat 1 x 3 4 5\n{}',
    ]) {
      assert.equal(decodeAnswer(text), undefined, JSON.stringify(text));
    }
  });
});
