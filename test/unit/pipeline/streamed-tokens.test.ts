// The estimate of a stream's completion tokens, which budgets check and a cut stream is billed: the larger of the
// number of deltas and their text's share (four ASCII or one and a half other characters a token).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletion } from '../../../dataplane/api/openai-chat.js';
import {
  answerTokens,
  countDelta,
  textTokens,
} from '../../../dataplane/pipeline/dispatch/streamed-tokens.js';

const counted = (deltas: string[]) => {
  const count = { streamedTokens: 0, streamedDeltas: 0, streamedText: 0 };
  for (const d of deltas) countDelta(count, d);
  return count.streamedTokens;
};

describe('streamed token estimate', () => {
  it('one token a delta when deltas are single tokens (OpenAI), their text when they are longer (Anthropic)', () => {
    assert.equal(counted([]), 0);
    assert.equal(counted(['', '']), 0);
    // Five one-token deltas: five (their characters alone would say 4.5).
    assert.equal(counted(['Hello', ',', ' how', ' are', ' you']), 5);
    // Two deltas of several words each: their text's share.
    assert.equal(counted(['The quick brown fox jumps ', 'over the lazy dog again and again.']), 15);
  });

  it('counts other scripts closer to a token a character', () => {
    assert.ok(Math.abs(textTokens('東京都の天気') - 4) < 1e-9);
    assert.ok(textTokens('Grüße aus Köln') > textTokens('Grusse aus Koln'));
  });
});

describe('answerTokens', () => {
  const answer = (message: Record<string, unknown>): ChatCompletion => ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'abcd', ...message }, finish_reason: 'stop' },
    ],
  });

  it('counts the reasoning a self-hosted model wrote, under either name', () => {
    assert.equal(answerTokens(answer({})), 1);
    assert.equal(answerTokens(answer({ reasoning_content: 'x'.repeat(400) })), 101);
    assert.equal(answerTokens(answer({ reasoning: 'x'.repeat(400) })), 101);
    assert.equal(answerTokens(answer({ reasoning_content: null, reasoning: null })), 1);
  });

  it('counts a custom tool call’s input', () => {
    const call = { id: 'c1', type: 'custom', custom: { name: 'python', input: 'x'.repeat(400) } };
    assert.ok(answerTokens(answer({ content: null, tool_calls: [call] })) >= 100);
  });
});
