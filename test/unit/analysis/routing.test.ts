// A complexity router's choice made inside the analysis task: the class by the router's own thresholds, and
// the tokens counted for the chosen target (its tokenizer and limits), in the same task. The routers are built
// from a config as the gateway builds them, so what travels with each task is what the gateway sends.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createAnalyzer } from '../../../dataplane/analysis/analyze.js';
import type { AnalysisRequest } from '../../../dataplane/analysis/types.js';
import { parseConfig } from '../../../dataplane/config/load.js';
import { buildRuntime } from '../../../dataplane/config/runtime.js';
import { analysisTargetOf } from '../../../dataplane/routing/analysis-target.js';

const analyze = createAnalyzer();

const SIMPLE = 'What is the capital of France?';
const COMPLEX =
  'Design a distributed, lock-free consensus protocol for a replicated log. Prove its safety under network ' +
  'partitions, analyse its liveness, give pseudocode for leader election and log replication, and write ' +
  'property-based tests in Rust. Compare it with Raft and Paxos in a detailed table, with at most 800 words.';

const config = parseConfig(
  {
    providers: {
      // Never called.
      openai: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k' },
      anthropic: {
        type: 'anthropic',
        base_url: 'http://127.0.0.1:9',
        api_key: 'k',
        default_max_tokens: 8192,
      },
    },
    models: {
      mini: { provider: 'openai', upstream_model: 'gpt-4o-mini', max_output_tokens: 1000 },
      four: { provider: 'openai', upstream_model: 'gpt-4', max_output_tokens: 2000 },
      'four-again': { provider: 'openai', upstream_model: 'gpt-4', max_output_tokens: 2000 },
      claude: { provider: 'anthropic', upstream_model: 'claude-sonnet-4-20250514' },
    },
    routers: {
      auto: { by: 'complexity', targets: { simple: 'mini', medium: 'four', complex: 'claude' } },
      // Every class to the same place: medium is the provisional target, `four-again` counts alike.
      steady: { by: 'complexity', targets: { simple: 'four-again', medium: 'four', complex: 'four' } },
      strict: {
        by: 'complexity',
        targets: { simple: 'mini', medium: 'four', complex: 'claude' },
        thresholds: { medium: 0, complex: 0 },
      },
      lenient: {
        by: 'complexity',
        targets: { simple: 'mini', medium: 'four', complex: 'claude' },
        thresholds: { medium: 1, complex: 1 },
      },
    },
  },
  {},
);
const runtime = buildRuntime(config);
after(() => runtime.close());

/** A router's request as the gateway sends it to the pool (pipeline/analysis-request.ts). */
function request(prompt: string, routerId: string): AnalysisRequest {
  const router = runtime.routers.get(routerId)!;
  return {
    endpoint: 'chat',
    body: { model: routerId, messages: [{ role: 'user', content: prompt }] },
    ...analysisTargetOf(router.provisional, config.providers),
    routing: router.routing,
  };
}

/** The same request sent to one model directly. */
function direct(prompt: string, modelId: string): AnalysisRequest {
  return {
    endpoint: 'chat',
    body: { model: modelId, messages: [{ role: 'user', content: prompt }] },
    ...analysisTargetOf(runtime.models.get(modelId)!, config.providers),
  };
}

describe('complexity routing in the analysis task', () => {
  it('sends with each task only the targets that count differently from the provisional one', () => {
    const auto = runtime.routers.get('auto')!;
    assert.equal(auto.provisional.id, 'four');
    assert.deepEqual(Object.keys(auto.routing.recount ?? {}).sort(), ['complex', 'simple']);
    assert.deepEqual(runtime.routers.get('steady')!.routing, { thresholds: { medium: 0.33, complex: 0.66 } });
  });

  it('classes a simple prompt simple and counts it with the simple target’s tokenizer and limits', () => {
    const result = analyze(request(SIMPLE, 'auto'));
    assert.equal(result.complexity.class, 'simple');
    assert.deepEqual(result.routing, { class: 'simple', score: result.complexity.score });
    // The provisional target is gpt-4 (cl100k_base); the chosen one gpt-4o-mini (o200k_base).
    assert.deepEqual(result.tokens, analyze(direct(SIMPLE, 'mini')).tokens);
    assert.equal(result.tokens.encoding, 'o200k_base');
    assert.equal(result.tokens.completion_upper_bound, 1000);
  });

  it('classes a complex prompt complex: an Anthropic estimate bounded by its default max_tokens', () => {
    const result = analyze(request(COMPLEX, 'auto'));
    assert.equal(result.routing?.class, 'complex');
    // Not the provisional model's max_output_tokens (2000): the target has none of its own.
    assert.deepEqual(result.tokens, analyze(direct(COMPLEX, 'claude')).tokens);
    assert.equal(result.tokens.exact, false);
    assert.equal(result.tokens.completion_upper_bound, 8192);
  });

  it('keeps the first count when the chosen target counts like the provisional one', () => {
    const result = analyze(request(SIMPLE, 'steady'));
    assert.equal(result.routing?.class, 'simple');
    assert.deepEqual(result.tokens, analyze(direct(SIMPLE, 'four-again')).tokens);
    assert.equal(result.tokens.encoding, 'cl100k_base');
  });

  it('classes by the router’s thresholds, while complexity.class keeps the analysis’ own', () => {
    const strict = analyze(request(SIMPLE, 'strict'));
    assert.equal(strict.complexity.class, 'simple');
    assert.equal(strict.routing?.class, 'complex', 'a score on the boundary is in the higher class');
    assert.equal(analyze(request(COMPLEX, 'lenient')).routing?.class, 'simple');
  });

  it('adds no routing to a request that names a model', () => {
    assert.equal(analyze(direct(COMPLEX, 'four')).routing, undefined);
  });
});
