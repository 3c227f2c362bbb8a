// A client that leaves while a stage is waiting on Redis, and whose answer is then a stream it will never read
// (here an exact cache hit replayed as SSE): the stream's wrappers still settle, so its limits are reconciled
// at once instead of holding a concurrency slot until reservation_ttl_s.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { redisCommand, startPrivateRedis, type PrivateRedis } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

describe('a stream nobody reads', () => {
  let redis: PrivateRedis;
  let gateway: TestGateway;

  before(async () => {
    redis = await startPrivateRedis();
    gateway = await startTestGateway({
      workers: { threads: 1 },
      limits: {
        redis: {
          url: redis.url,
          key_prefix: `t${randomBytes(4).toString('hex')}:`,
          command_timeout_ms: 2_000,
        },
        global: { concurrency: 1 },
      },
      cache: { enabled: true, semantic: { enabled: false } },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: { 'sim-a': { provider: 'simulator', simulation: { output_tokens: 5 } } },
    });
  });
  after(async () => {
    await gateway.shutdown(0);
    await redis.stop();
  });

  const chat = (id: string, signal: AbortSignal = AbortSignal.timeout(10_000)) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'x-request-id': id },
      body: JSON.stringify({
        model: 'sim-a',
        stream: true,
        temperature: 0,
        messages: [{ role: 'user', content: 'Name a colour.' }],
      }),
      signal,
    });

  it('releases its admission when the client left before the first frame', async () => {
    const primed = await chat('prime');
    assert.equal(primed.status, 200);
    await primed.text();
    await waitFor(async () => {
      const hit = await chat('probe');
      await hit.text();
      return hit.headers.get('x-gateway-cache') === 'exact' ? true : undefined;
    }, 'the answer is cached');

    // Redis holds the next admission for 400 ms; the client gives up after 100 ms; then the admission is
    // granted and the cache answers with a stream that nobody will read.
    await redisCommand(redis.url, ['CLIENT', 'PAUSE', 400, 'ALL']);
    const controller = new AbortController();
    const left = chat('left', controller.signal).catch((error: unknown) => error);
    setTimeout(() => controller.abort(), 100);
    assert.ok((await left) instanceof Error);
    const record = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === 'left'),
      'the abandoned request is recorded',
      5_000,
    );
    assert.equal(record.error_code, 'client_aborted');
    assert.equal(record.error_message, 'The client closed the connection before the answer was complete.');
    assert.equal(record.cache_status, 'exact');

    // The one concurrency slot is free again.
    const next = await chat('next');
    assert.equal(next.status, 200, await next.clone().text());
    assert.equal(next.headers.get('x-gateway-cache'), 'exact');
    await next.text();
  });
});
