// A warn line per request an upstream failed, with its request id, at most ten a second (found by operations
// testing: without the access log, a 504 or a dead provider left no line to follow).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../dataplane/config/load.js';
import { startGateway } from '../../dataplane/gateway.js';
import { createLogger } from '../../dataplane/observability/logger.js';
import {
  createUpstreamFailureLog,
  isUpstreamFailure,
} from '../../dataplane/observability/upstream-failure-log.js';
import { waitFor } from '../support/wait.js';

describe('upstream failure log', () => {
  it('logs a request whose upstream is unreachable, by its request id; not one the client caused', async () => {
    const lines: string[] = [];
    const config = parseConfig(
      {
        logging: { level: 'warn' },
        analytics: { enabled: false },
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        providers: {
          dead: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: 'k' },
          simulator: { type: 'simulator' },
        },
        models: {
          'dead-model': { provider: 'dead' },
          'sim-error-500': { provider: 'simulator' },
          'sim-error-404': { provider: 'simulator' },
        },
      },
      process.env,
      'test config',
    );
    const gateway = await startGateway({
      config,
      port: 0,
      logger: createLogger('warn', (l) => lines.push(l)),
    });
    try {
      const post = (model: string) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        });
      const failed = await post('dead-model');
      assert.equal(failed.status, 502);
      await failed.text();
      const line = await waitFor(
        () =>
          lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'upstream failed'),
        'the warn line',
      );
      assert.equal(line.level, 'warn');
      assert.equal(line.request_id, failed.headers.get('x-gateway-request-id'));
      assert.equal(line.code, 'upstream_unreachable');
      assert.equal(line.provider, 'dead');
      assert.equal(line.model, 'dead-model');
      // The simulator's 5xx is an upstream failure too (found by docs testing: it left no line), its 4xx not.
      const simulated = await post('sim-error-500');
      assert.equal(simulated.status, 500);
      await simulated.text();
      const simulatedLine = await waitFor(
        () =>
          lines
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .find((e) => e.msg === 'upstream failed' && e.model === 'sim-error-500'),
        'the simulated failure line',
      );
      assert.equal(simulatedLine.upstream_status, 500);
      // The client's own mistake is not an upstream failure.
      const before = lines.length;
      const notFound = await post('sim-error-404');
      assert.equal(notFound.status, 404);
      await notFound.text();
      const unknown = await post('no-such-model');
      assert.equal(unknown.status, 404);
      await unknown.text();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(lines.slice(before).filter((l) => l.includes('upstream failed')).length, 0);
    } finally {
      await gateway.shutdown(0);
    }
  });

  it('writes at most ten lines a second and counts the ones it left out in the next', () => {
    const lines: Record<string, unknown>[] = [];
    let t = 1_000_000;
    const log = createUpstreamFailureLog(
      createLogger('warn', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
      10,
      () => t,
    );
    const failure = {
      requestId: 'r',
      code: 'upstream_timeout',
      status: 504,
      upstreamStatus: undefined,
      provider: 'p',
      model: 'm',
      message: 'timed out',
    };
    for (let i = 0; i < 25; i++) log(failure);
    assert.equal(lines.length, 10);
    t += 1000;
    log(failure);
    assert.equal(lines.length, 11);
    assert.equal(lines[10]!.not_logged_before, 15);
  });

  it('counts an upstream 5xx and the transport failures, not an upstream 4xx', () => {
    assert.equal(isUpstreamFailure('upstream_error', 500), true);
    assert.equal(isUpstreamFailure('upstream_error', 400), false);
    assert.equal(isUpstreamFailure('stream_interrupted', undefined), true);
    assert.equal(isUpstreamFailure('rate_limited', undefined), false);
  });
});
