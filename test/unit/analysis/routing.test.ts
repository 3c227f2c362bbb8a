// A complexity router's choice made inside the analysis task: the class by the router's own thresholds, and
// the tokens counted for the chosen target (its tokenizer and limits), in the same task.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnalyzer } from '../../../dataplane/analysis/analyze.js';
import type { AnalysisRequest, RoutingRequest, RoutingTarget } from '../../../dataplane/analysis/types.js';

const analyze = createAnalyzer();

const SIMPLE = 'What is the capital of France?';
const COMPLEX =
  'Design a distributed, lock-free consensus protocol for a replicated log. Prove its safety under network ' +
  'partitions, analyse its liveness, give pseudocode for leader election and log replication, and write ' +
  'property-based tests in Rust. Compare it with Raft and Paxos in a detailed table, with at most 800 words.';

const mini: RoutingTarget = {
  model: 'mini',
  upstreamModel: 'gpt-4o-mini',
  provider: 'openai',
  maxOutputTokens: 1000,
};
const four: RoutingTarget = {
  model: 'four',
  upstreamModel: 'gpt-4',
  provider: 'openai',
  maxOutputTokens: 2000,
};
const claude: RoutingTarget = {
  model: 'claude',
  upstreamModel: 'claude-sonnet-4-20250514',
  provider: 'anthropic',
  providerDefaultMax: 8192,
};

function routing(thresholds = { medium: 0.33, complex: 0.66 }): RoutingRequest {
  return { thresholds, targets: { simple: mini, medium: four, complex: claude } };
}

/** A router's request as the gateway sends it: the provisional target (`medium`) describes the count. */
function request(prompt: string, route: RoutingRequest = routing()): AnalysisRequest {
  const { model: _model, ...provisional } = route.targets.medium;
  return {
    endpoint: 'chat',
    body: { model: 'auto', messages: [{ role: 'user', content: prompt }] },
    ...provisional,
    routing: route,
  };
}

/** The same request sent to one model directly. */
function direct(prompt: string, target: RoutingTarget): AnalysisRequest {
  const { model: _model, ...rest } = target;
  return {
    endpoint: 'chat',
    body: { model: target.model, messages: [{ role: 'user', content: prompt }] },
    ...rest,
  };
}

describe('complexity routing in the analysis task', () => {
  it('sends a simple prompt to the simple target, counted with that target’s tokenizer and limits', () => {
    const result = analyze(request(SIMPLE));
    assert.equal(result.complexity.class, 'simple');
    assert.deepEqual(result.routing, { class: 'simple', model: 'mini', score: result.complexity.score });
    // The provisional target is gpt-4 (cl100k_base); the chosen one gpt-4o-mini (o200k_base).
    assert.deepEqual(result.tokens, analyze(direct(SIMPLE, mini)).tokens);
    assert.equal(result.tokens.encoding, 'o200k_base');
    assert.equal(result.tokens.completion_upper_bound, 1000);
  });

  it('sends a complex prompt to the complex target: an Anthropic estimate with its default max_tokens', () => {
    const result = analyze(request(COMPLEX));
    assert.equal(result.complexity.class, 'complex');
    assert.equal(result.routing?.model, 'claude');
    assert.deepEqual(result.tokens, analyze(direct(COMPLEX, claude)).tokens);
    assert.equal(result.tokens.exact, false);
    assert.equal(result.tokens.completion_upper_bound, 8192);
  });

  it('keeps the first count when the chosen target is the provisional one', () => {
    // Every score is at least 0 and below 1.01: all requests are medium.
    const result = analyze(request(SIMPLE, routing({ medium: 0, complex: 1.01 })));
    assert.equal(result.routing?.class, 'medium');
    assert.equal(result.routing?.model, 'four');
    assert.deepEqual(result.tokens, analyze(direct(SIMPLE, four)).tokens);
    assert.equal(result.tokens.encoding, 'cl100k_base');
  });

  it('classes by the router’s thresholds, while complexity.class keeps the analysis’ own', () => {
    const simple = analyze(request(SIMPLE));
    const strict = routing({ medium: simple.complexity.score, complex: simple.complexity.score });
    const result = analyze(request(SIMPLE, strict));
    assert.equal(result.complexity.class, 'simple');
    assert.equal(result.routing?.class, 'complex', 'a score at the boundary is in the higher class');
    const lenient = routing({ medium: 1, complex: 1 });
    assert.equal(analyze(request(COMPLEX, lenient)).routing?.class, 'simple');
  });

  it('adds no routing to a request that names a model', () => {
    assert.equal(analyze(direct(COMPLEX, four)).routing, undefined);
  });
});
