// The bench's full-pipeline config variants: BENCH_REDIS_URL moves limits and cache to Redis, and
// BENCH_FULL_WITHOUT switches stages off, so that "with minus without" is a stage's cost.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { fullPipelineModel, nodeArgs, renderConfig, stagesWithout } from '../../../bench/targets/gateway.js';
import { configSchema } from '../../../dataplane/config/schema.js';

const template = readFileSync(join(import.meta.dirname, '../../../bench/configs/full-pipeline.yaml'), 'utf8');

describe('bench full-pipeline config', () => {
  it('without limits: no limit or budget anywhere, authentication and the other stages unchanged', () => {
    const text = renderConfig(template, 4321, 'redis://127.0.0.1:6390', ['limits']);
    assert.doesNotMatch(text, /rpm|tpm|concurrency|cost_usd|user_limits/);
    const config = configSchema.parse(parse(text));
    assert.equal(config.limits.global, undefined);
    assert.equal(config.limits.redis?.url, 'redis://127.0.0.1:6390');
    const team = config.teams.bench!;
    assert.equal(team.limits, undefined);
    assert.equal(team.apps.load!.keys[0]!.id, 'bench-key');
    assert.equal(team.apps.load!.keys[0]!.limits, undefined);
    assert.equal(config.auth.anonymous, 'deny');
    assert.equal(config.analysis.enabled, true);
    assert.equal(config.cache.enabled, true);
    assert.match(config.providers.mock!.type, /openai/);
  });

  it('the whole pipeline by default; a misspelt stage is refused', () => {
    const config = configSchema.parse(parse(renderConfig(template, 4321)));
    assert.equal(config.teams.bench!.limits?.rpm, 100000000);
    assert.equal(config.limits.global?.concurrency, 100000);
    assert.deepEqual(stagesWithout('analysis, limits'), ['analysis', 'limits']);
    assert.throws(() => stagesWithout('limit'), /unknown stage "limit"/);
  });

  it('routes through the complexity router, unless routing or the analysis is off', () => {
    const config = configSchema.parse(parse(renderConfig(template, 4321)));
    const router = config.routers[fullPipelineModel([])];
    assert.ok(router, 'the full pipeline names a router');
    assert.deepEqual(Object.values(router.targets), ['bench-model', 'bench-model', 'bench-model']);
    assert.ok(config.models[fullPipelineModel(['routing'])]);
    assert.ok(config.models[fullPipelineModel(['analysis', 'cache'])]);
    assert.deepEqual(stagesWithout('routing'), ['routing']);
  });

  it('without analytics: the warehouse writer is off, everything else stays', () => {
    const config = configSchema.parse(parse(renderConfig(template, 4321, undefined, ['analytics'])));
    assert.equal(config.analytics.enabled, false);
    assert.equal(config.analysis.enabled, true);
    assert.equal(config.teams.bench!.limits?.rpm, 100000000);
  });

  it('BENCH_GATEWAY_NODE_ARGS: extra Node flags for the gateway process, split on spaces', () => {
    assert.deepEqual(nodeArgs(undefined), []);
    assert.deepEqual(nodeArgs(' --cpu-prof  --cpu-prof-dir=/tmp/p '), [
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/p',
    ]);
  });
});
