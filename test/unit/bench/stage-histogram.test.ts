// The bench's reading of the gateway's stage histogram: parse the /metrics text, take the window's difference,
// and report quantiles as bucket upper edges. Synthetic text only; the real histogram is rendered by
// dataplane/observability/metrics.ts, which the first case uses so that the two cannot drift apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diffStageHistograms,
  parseStageHistograms,
  quantileUpperBound,
  summarizeStages,
} from '../../../bench/stats/stage-histogram.js';
import { createGatewayMetrics } from '../../../dataplane/observability/gateway-metrics.js';

describe('bench stage histogram', () => {
  it('reads what the gateway renders, and the window is the difference of two scrapes', () => {
    const metrics = createGatewayMetrics();
    metrics.stageSeconds.observe(0.00004, { stage: 'limits' });
    const before = parseStageHistograms(metrics.registry.render());
    // 98 fast admissions, one at 0.25 ms and one at 2.5 ms in the window.
    for (let i = 0; i < 98; i++) metrics.stageSeconds.observe(0.00002, { stage: 'limits' });
    metrics.stageSeconds.observe(0.00025, { stage: 'limits' });
    metrics.stageSeconds.observe(0.0025, { stage: 'limits' });
    metrics.stageSeconds.observe(0.0001, { stage: 'auth' });
    const after = parseStageHistograms(metrics.registry.render());
    const window = diffStageHistograms(before, after);
    assert.equal(window.limits!.count, 100);
    const s = summarizeStages(window);
    assert.equal(s.limits!.count, 100);
    assert.ok(Math.abs(s.limits!.meanUs - (98 * 20 + 250 + 2500) / 100) < 1e-6);
    assert.ok(Math.abs(s.limits!.p50UpperUs - 25) < 1e-9);
    // The 99th of 100 observations is the 0.25 ms one: its bucket's edge is 0.3 ms.
    assert.ok(Math.abs(s.limits!.p99UpperUs - 300) < 1e-9);
    assert.equal(s.auth!.count, 1);
    assert.ok(Math.abs(s.auth!.p99UpperUs - 100) < 1e-9);
  });

  it('quantiles: an empty window is NaN, past the last bucket is +Infinity, a stage with no new data is left out', () => {
    const h = { le: [0.001, 0.01], cumulative: [0, 0], count: 0, sum: 0 };
    assert.ok(Number.isNaN(quantileUpperBound(h, 0.99)));
    assert.equal(quantileUpperBound({ ...h, cumulative: [1, 1], count: 2, sum: 5 }, 0.99), Infinity);
    assert.equal(quantileUpperBound({ ...h, cumulative: [1, 2], count: 2, sum: 0.01 }, 0.5), 0.001);
    const text = [
      '# TYPE gateway_stage_seconds histogram',
      'gateway_stage_seconds_bucket{stage="cache",le="0.001"} 3',
      'gateway_stage_seconds_bucket{stage="cache",le="+Inf"} 3',
      'gateway_stage_seconds_sum{stage="cache"} 0.0012',
      'gateway_stage_seconds_count{stage="cache"} 3',
      'gateway_other_seconds_count{stage="cache"} 99',
    ].join('\n');
    const same = parseStageHistograms(text);
    assert.deepEqual(same.cache, { le: [0.001], cumulative: [3], count: 3, sum: 0.0012 });
    assert.deepEqual(summarizeStages(diffStageHistograms(same, same)), {});
  });
});
