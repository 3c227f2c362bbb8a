// The exposition stays valid whatever reaches a counter, and the series alerts depend on exist from the start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createGatewayMetrics,
  MAX_UPSTREAM_CODES,
} from '../../../dataplane/observability/gateway-metrics.js';
import { Counter, Gauge, Histogram } from '../../../dataplane/observability/metrics.js';

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

  it('series are told apart by every label, kept in creation order, and a missing label reads as empty', () => {
    const counter = new Counter('c_total', 'test', ['route', 'model', 'status']);
    counter.inc({ route: 'chat', model: 'a', status: '200' });
    counter.inc({ route: 'chat', model: 'b', status: '200' }, 2);
    counter.inc({ route: 'chat', model: 'a', status: '500' }, 3);
    counter.inc({ route: 'chat', model: 'a', status: '200' }, 4);
    // A value holding what a joined key might use as a separator is still its own series.
    counter.inc({ route: 'chat\u0001a', model: '', status: '200' }, 7);
    counter.inc({ route: 'embeddings', status: '200' }, 6);
    assert.equal(counter.get({ route: 'chat', model: 'a', status: '200' }), 5);
    assert.equal(counter.get({ route: 'chat', model: 'b', status: '200' }), 2);
    assert.equal(counter.get({ route: 'chat', model: 'a', status: '500' }), 3);
    assert.equal(counter.get({ route: 'chat', model: 'b', status: '500' }), 0);
    assert.equal(counter.get({ route: 'embeddings', model: '', status: '200' }), 6);
    assert.equal(counter.get({ route: 'chat\u0001a', model: '', status: '200' }), 7);
    assert.equal(counter.get({ route: 'chat', model: '\u0001a', status: '200' }), 0);
    const lines = counter
      .render()
      .split('\n')
      .filter((l) => l.startsWith('c_total'));
    assert.deepEqual(lines, [
      'c_total{route="chat",model="a",status="200"} 5',
      'c_total{route="chat",model="b",status="200"} 2',
      'c_total{route="chat",model="a",status="500"} 3',
      'c_total{route="chat\u0001a",model="",status="200"} 7',
      'c_total{route="embeddings",model="",status="200"} 6',
    ]);
  });

  it('a gauge and a histogram without labels hold one series; bound observers share the looked-up one', () => {
    const gauge = new Gauge('g', 'test');
    gauge.set(3);
    gauge.add(2);
    assert.equal(gauge.get(), 5);
    assert.match(gauge.render(), /^g 5$/m);
    const histogram = new Histogram('h_seconds', 'test', ['stage'], [0.1, 1]);
    histogram.observe(0.05, { stage: 'auth' });
    const bound = histogram.bind({ stage: 'auth' });
    bound(0.5);
    bound(5);
    histogram.observe(0.5, { stage: 'limits' });
    assert.equal(histogram.count({ stage: 'auth' }), 3);
    assert.equal(histogram.count({ stage: 'limits' }), 1);
    assert.equal(histogram.count({ stage: 'cache' }), 0);
    const text = histogram.render();
    assert.match(text, /^h_seconds_bucket\{stage="auth",le="0.1"\} 1$/m);
    assert.match(text, /^h_seconds_bucket\{stage="auth",le="1"\} 2$/m);
    assert.match(text, /^h_seconds_bucket\{stage="auth",le="\+Inf"\} 3$/m);
    assert.match(text, /^h_seconds_sum\{stage="auth"\} 5.55$/m);
    assert.ok(text.indexOf('stage="auth"') < text.indexOf('stage="limits"'));
  });
});
