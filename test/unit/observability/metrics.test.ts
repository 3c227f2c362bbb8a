// The exposition stays valid whatever reaches a counter, and the series alerts depend on exist from the start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGatewayMetrics } from '../../../dataplane/observability/gateway-metrics.js';
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
});
