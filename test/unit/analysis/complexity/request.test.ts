// Complexity on real request shapes (OpenAI and Anthropic, tools, tool results), odd bodies and large inputs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createComplexityScorer } from '../../../../dataplane/analysis/complexity/index.js';
import { extractSegments } from '../../../../dataplane/analysis/extract.js';
import type {
  AnalysisEndpoint,
  AnalysisRequest,
  ComplexityAnalysis,
} from '../../../../dataplane/analysis/types.js';

const scorer = createComplexityScorer();

function score(endpoint: AnalysisEndpoint, body: unknown, tokens = 100): ComplexityAnalysis {
  const request: AnalysisRequest = { endpoint, body, upstreamModel: 'm', provider: 'simulator' };
  return scorer.score(request, extractSegments(endpoint, body), tokens);
}

describe('request shapes', () => {
  it('reads the latest user message as the task and the rest as context', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are a terse assistant.' },
        { role: 'user', content: 'Prove the Pythagorean theorem and derive the law of cosines from it.' },
        { role: 'assistant', content: 'Sure...' },
        { role: 'user', content: 'Thanks!' },
      ],
    };
    const result = score('chat', body);
    assert.equal(result.features.reasoning_cues, 0);
    assert.equal(result.features.user_turns, 2);
    assert.equal(result.class, 'simple');
  });

  it('counts OpenAI tools and tool results', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Book me a table for two tonight.' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{"q":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '3 restaurants found' },
      ],
      tools: [1, 2, 3, 4, 5].map((i) => ({ type: 'function', function: { name: `t${i}` } })),
      response_format: { type: 'json_schema' },
    };
    const f = score('chat', body).features;
    assert.equal(f.tools, 5);
    assert.equal(f.tool_results, 1);
    assert.equal(f.structured_output, true);
  });

  it('handles Anthropic bodies with a top-level system prompt and tool_result blocks', () => {
    const body = {
      model: 'm',
      max_tokens: 100,
      system: 'Always answer in JSON. Never exceed 50 words.',
      tools: [{ name: 'lookup' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Compare Raft and Paxos.' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'lookup', input: {} }] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: 'Raft paper summary...' }],
        },
      ],
    };
    const f = score('messages', body).features;
    assert.equal(f.tools, 1);
    assert.equal(f.tool_results, 1);
    assert.ok(Number(f.constraints) > 0, 'system prompt constraints count as context');
  });

  it('survives empty and malformed bodies', () => {
    for (const body of [null, 42, 'text', {}, { messages: 'nope' }, { messages: [null, 3, {}] }]) {
      const result = score('chat', body, 0);
      assert.equal(result.class, 'simple');
      assert.ok(result.score >= 0 && result.score < 0.33);
    }
  });
});

describe('large inputs finish in bounded time', () => {
  const MB = 1024 * 1024;
  const cases: [string, string][] = [
    ['prose', 'The committee reviewed the budget and approved new hours. '.repeat(MB / 58)],
    ['code', 'def f(x):\n    return x + 1  # must not overflow; should be fast\n'.repeat(MB / 60)],
    ['one line of separators', ',;:'.repeat(MB / 3)],
    ['backticks', '```'.repeat(MB / 3)],
    ['dollars', '$x$ '.repeat(MB / 4)],
    ['design runs', 'design a '.repeat(MB / 9)],
    ['CJK', '设计一个分布式系统，分析权衡。'.repeat(MB / 15)],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const start = performance.now();
      const result = score(
        'chat',
        { model: 'm', messages: [{ role: 'user', content: text }] },
        text.length / 4,
      );
      const ms = performance.now() - start;
      assert.ok(ms < 3000, `${name} took ${ms.toFixed(0)} ms`);
      assert.ok(result.score >= 0 && result.score <= 1);
    });
  }
});
