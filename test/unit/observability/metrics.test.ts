// The exposition stays valid whatever reaches a counter, and the series alerts depend on exist from the start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createGatewayMetrics,
  MAX_UPSTREAM_CODES,
} from '../../../dataplane/observability/gateway-metrics.js';
import { Counter } from '../../../dataplane/observability/metrics.js';

describe('metrics', () => {
  it('a counter ignores what is not a finite number (a count an upstream sent as a string)', () => {
    const counter = new Counter('t_total', 'test', ['k']);
    counter.inc({ k: 'a' }, 5);
    counter.inc({ k: 'a' }, '5' as unknown as number);
    counter.inc({ k: 'a' }, Number.NaN);
    counter.inc({ k: 'a' }, Number.POSITIVE_INFINITY);
    assert.equal(counter.get({ k: 'a' }), 5);
    assert.match(counter.render(), /^t_total\{k="a"\} 5$/m);
  });

  it('gateway_config_reloads_total has both results at 0 before any reload', async () => {
    const metrics = createGatewayMetrics();
    const text = await metrics.registry.render();
    assert.match(text, /^gateway_config_reloads_total\{result="ok"\} 0$/m);
    assert.match(text, /^gateway_config_reloads_total\{result="error"\} 0$/m);
  });

  it('error code labels: ours and upstream identifiers kept, bounded in number; anything else is upstream_error', () => {
    const metrics = createGatewayMetrics();
    assert.equal(metrics.errorCodeLabel('rate_limited'), 'rate_limited');
    assert.equal(metrics.errorCodeLabel('insufficient_quota'), 'insufficient_quota');
    assert.equal(metrics.errorCodeLabel('has spaces'), 'upstream_error');
    assert.equal(metrics.errorCodeLabel('x'.repeat(100)), 'upstream_error');
    const labels = new Set<string>();
    for (let i = 0; i < 500; i++) labels.add(metrics.errorCodeLabel(`code_${i}`));
    assert.ok(labels.size <= MAX_UPSTREAM_CODES + 1, `${labels.size} label values`);
    assert.ok(labels.has('upstream_error'));
    // Codes seen before the bound stay themselves; the gateway's own codes always do.
    assert.equal(metrics.errorCodeLabel('insufficient_quota'), 'insufficient_quota');
    assert.equal(metrics.errorCodeLabel('budget_exceeded'), 'budget_exceeded');
  });
});
