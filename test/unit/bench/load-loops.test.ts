// The closed and open loops against a tiny local server: request accounting, stream checks, and latency
// charged from the scheduled time. Asserts counts and orderings that follow from the logic, never a speed.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestBytes } from '../../../bench/load/chat-request.js';
import { runClosedLoop } from '../../../bench/load/closed-loop.js';
import { HttpConnection, REUSE_IDLE_MS } from '../../../bench/load/http-connection.js';
import type { RequestSpec } from '../../../bench/load/exchange.js';
import { runOpenLoop, shouldGrow, SNAPSHOT_LEAD_MS } from '../../../bench/load/open-loop.js';
import { summarizeCensored } from '../../../bench/stats/percentiles.js';

// Answers shaped like the mock's: a chat completion, and completion chunks. Anything else is a `bad_body`.
const COMPLETION = JSON.stringify({
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'tok tok' }, finish_reason: 'stop' }],
});
const chunk = (i: number): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: String(i) } }] })}\n\n`;

let server: Server;
let port = 0;
let served = 0;

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      served++;
      if (req.url === '/stream') {
        const n = Number(req.headers['x-chunks'] ?? 3);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < n; i++) res.write(chunk(i));
        res.end('data: [DONE]\n\n');
      } else if (req.url === '/slow') {
        setTimeout(() => res.end(COMPLETION), 20);
      } else if (req.url === '/hang') {
        // Never answers: the loops must report timeouts, not silence.
      } else if (req.url === '/fail') {
        res.writeHead(503).end('no');
      } else if (req.url === '/error-body') {
        res.end('{"error":{"message":"rate limited"}}');
      } else if (req.url === '/empty') {
        res.end();
      } else if (req.url === '/error-stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < 3; i++) res.write('data: {"error":"rate limited"}\n\n');
        res.end('data: [DONE]\n\n');
      } else if (req.url === '/hang-some') {
        // Every 10th request never answers.
        if (served % 10 !== 0) res.end(COMPLETION);
      } else res.end(COMPLETION);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function spec(path: string, headers: Record<string, string> = {}, expectedEvents?: number): RequestSpec {
  return {
    port,
    bytes: requestBytes(port, path, headers, '{}'),
    stream: expectedEvents !== undefined,
    expectedEvents,
  };
}

const hooks = () => {
  const calls: string[] = [];
  return {
    calls,
    hooks: { onMeasureStart: () => calls.push('start'), onMeasureEnd: () => calls.push('end') },
  };
};

describe('closed loop', () => {
  it('stops at the request bound and records every measured request', async () => {
    const h = hooks();
    const before = served;
    const r = await runClosedLoop({
      spec: spec('/'),
      concurrency: 4,
      warmupMs: 30,
      durationMs: 10_000,
      maxRequests: 200,
      drainMs: 2_000,
      hooks: h.hooks,
    });
    assert.deepEqual(h.calls, ['start', 'end']);
    assert.equal(r.intended, 200);
    assert.equal(r.recorder.ok, 200);
    assert.equal(r.recorder.total.length, 200);
    assert.equal(r.recorder.errorCount, 0);
    assert.equal(served - before, r.issued);
    assert.ok(r.recorder.completedInWindow >= 200);
  });

  it('checks the chunk count of streamed answers', async () => {
    const good = await runClosedLoop({
      spec: spec('/stream', { 'x-chunks': '3' }, 3),
      concurrency: 2,
      warmupMs: 10,
      durationMs: 10_000,
      maxRequests: 20,
      drainMs: 2_000,
      hooks: hooks().hooks,
    });
    assert.equal(good.recorder.ok, 20);
    assert.equal(good.recorder.firstChunk.length, 20);
    const bad = await runClosedLoop({
      spec: spec('/stream', { 'x-chunks': '2' }, 3),
      concurrency: 2,
      warmupMs: 10,
      durationMs: 10_000,
      maxRequests: 20,
      drainMs: 2_000,
      hooks: hooks().hooks,
    });
    assert.equal(bad.recorder.ok, 0);
    assert.equal(bad.recorder.errors.get('stream_chunk_count'), 20);
  });

  it('reports a hanging target as timeouts', async () => {
    const r = await runClosedLoop({
      spec: spec('/hang'),
      concurrency: 3,
      warmupMs: 10,
      durationMs: 50,
      maxRequests: 100,
      drainMs: 50,
      hooks: hooks().hooks,
    });
    assert.equal(r.recorder.ok, 0);
    // All three were sent in the warm-up: shown, but not measured errors (report section 10).
    assert.equal(r.recorder.warmupTimeouts, 3);
    assert.equal(r.recorder.errors.get('timeout'), undefined);
  });

  it('counts a 2xx that is not a chat completion as an error of a named kind', async () => {
    const run = (path: string, expectedEvents?: number, expectedContent?: string) =>
      runClosedLoop({
        spec: { ...spec(path, { 'x-chunks': '3' }, expectedEvents), expectedContent },
        concurrency: 2,
        warmupMs: 10,
        durationMs: 10_000,
        maxRequests: 10,
        drainMs: 2_000,
        hooks: hooks().hooks,
      });
    const errorBody = await run('/error-body');
    assert.equal(errorBody.recorder.ok, 0);
    assert.equal(errorBody.recorder.errors.get('bad_body'), 10);
    const empty = await run('/empty');
    assert.equal(empty.recorder.errors.get('bad_body'), 10);
    const errorStream = await run('/error-stream', 3);
    assert.equal(errorStream.recorder.ok, 0);
    assert.equal(errorStream.recorder.errors.get('bad_chunk'), 10);
    const wrong = await run('/', undefined, 'something else');
    assert.equal(wrong.recorder.errors.get('bad_content'), 10);
    const right = await run('/', undefined, 'tok tok');
    assert.equal(right.recorder.ok, 10);
  });

  it('gives a window of the configured length and counts successes inside it for req/s', async () => {
    const servedBefore = served;
    const r = await runClosedLoop({
      spec: spec('/slow'),
      concurrency: 2,
      warmupMs: 10,
      durationMs: 100,
      maxRequests: 10_000,
      drainMs: 2_000,
      hooks: hooks().hooks,
    });
    assert.equal(r.windowMs, 100);
    // The configured length, up to floating-point rounding of the two clock readings' difference.
    assert.ok(Math.abs(r.recorder.windowEnd - r.recorder.windowStart - 100) < 1e-6);
    // Requests issued near the window's end complete after it: they are measured but not in the rate.
    assert.ok(r.recorder.okInWindow <= r.recorder.completedInWindow);
    assert.ok(r.recorder.okInWindow > 0);
    // Every request of the phase, warm-up included, is in `issued`: what the server saw (the divisor of upstream
    // calls per request, counted on the mock over the same phase).
    assert.equal(r.issued, served - servedBefore);
  });

  it('counts HTTP errors by status', async () => {
    const r = await runClosedLoop({
      spec: spec('/fail'),
      concurrency: 1,
      warmupMs: 10,
      durationMs: 10_000,
      maxRequests: 5,
      drainMs: 2_000,
      hooks: hooks().hooks,
    });
    assert.equal(r.recorder.errors.get('http_503'), 5);
    assert.equal(r.recorder.total.length, 0, 'failed requests give no latency sample');
  });
});

describe('open loop', () => {
  it('sends exactly the scheduled requests', async () => {
    const h = hooks();
    const r = await runOpenLoop({
      spec: spec('/'),
      ratePerSec: 500,
      warmupMs: 100,
      durationMs: 300,
      maxRequests: 1_000,
      maxConnections: 16,
      drainMs: 2_000,
      hooks: h.hooks,
    });
    assert.deepEqual(h.calls, ['start', 'end']);
    assert.equal(r.intended, 150);
    assert.equal(r.recorder.ok + r.recorder.errorCount, 150);
    assert.equal(r.recorder.sendLag.length, 150);
  });

  it('takes the start snapshot before the first measured request falls due, not in its way', async () => {
    let hookAt = 0;
    const r = await runOpenLoop({
      spec: spec('/'),
      ratePerSec: 500,
      warmupMs: 300,
      durationMs: 200,
      maxRequests: 1_000,
      maxConnections: 16,
      drainMs: 2_000,
      hooks: {
        onMeasureStart: () => {
          hookAt = performance.now();
        },
        onMeasureEnd: () => {},
      },
    });
    // Called in the warm-up, SNAPSHOT_LEAD_MS ahead (give or take the pacer's tick), never at the due time.
    assert.ok(
      hookAt > 0 && hookAt < r.startedAt,
      `hook at ${hookAt}, first measured request due at ${r.startedAt}`,
    );
    assert.ok(r.startedAt - hookAt <= SNAPSHOT_LEAD_MS + 50, `${r.startedAt - hookAt} ms ahead`);
  });

  it('charges queueing to latency when the server cannot keep up', async () => {
    // One connection to a 20 ms server can do 50 req/s; 200 req/s are scheduled. Requests wait in the
    // generator's queue, and that wait must be part of their latency.
    const r = await runOpenLoop({
      spec: spec('/slow'),
      ratePerSec: 200,
      warmupMs: 0,
      durationMs: 200,
      maxRequests: 1_000,
      maxConnections: 1,
      drainMs: 5_000,
      hooks: hooks().hooks,
    });
    assert.equal(r.recorder.ok, 40);
    const lag = r.recorder.sendLag.sorted();
    const total = r.recorder.total.sorted();
    // Each latency includes its own send lag, so the largest latency is at least the largest lag plus
    // one service time, and the lags grow as the queue does.
    assert.ok(total[total.length - 1]! >= lag[lag.length - 1]!);
    const lags = r.recorder.sendLag.values();
    assert.ok(lags[lags.length - 1]! > lags[0]!);
  });

  it('counts requests still queued at the deadline as unsent', async () => {
    const r = await runOpenLoop({
      spec: spec('/slow'),
      ratePerSec: 400,
      warmupMs: 0,
      durationMs: 100,
      maxRequests: 1_000,
      maxConnections: 1,
      drainMs: 50,
      hooks: hooks().hooks,
    });
    assert.equal(r.intended, 40);
    assert.ok((r.recorder.errors.get('unsent') ?? 0) > 0);
    assert.equal(r.recorder.ok + r.recorder.errorCount, 40);
    // Requests that never completed stay in the latency distribution, censored at the deadline.
    assert.equal(r.recorder.censored.length, r.recorder.errorCount);
    const summary = summarizeCensored(r.recorder.total.sorted(), r.recorder.censored.sorted());
    assert.equal(summary.count, 40);
    assert.ok(summary.lowerBound?.includes('p99'));
  });

  it('keeps timed-out requests in the percentiles as lower bounds', async () => {
    const r = await runOpenLoop({
      spec: spec('/hang-some'),
      ratePerSec: 500,
      warmupMs: 0,
      durationMs: 200,
      maxRequests: 1_000,
      maxConnections: 64,
      drainMs: 100,
      hooks: hooks().hooks,
    });
    const timeouts = r.recorder.errors.get('timeout') ?? 0;
    assert.ok(timeouts > 0);
    assert.equal(r.recorder.censored.length, timeouts + (r.recorder.errors.get('unsent') ?? 0));
    const summary = summarizeCensored(r.recorder.total.sorted(), r.recorder.censored.sorted());
    assert.equal(summary.count, r.intended);
    // About a tenth never answered, so p99 and p90 reach into them and are marked.
    assert.deepEqual(summary.lowerBound?.includes('p99'), true);
  });

  it('opens connections only for requests no connection is being opened for', () => {
    assert.equal(shouldGrow(5, 0, 16, 512), true);
    assert.equal(shouldGrow(5, 5, 16, 512), false, 'five queued, five already connecting');
    assert.equal(shouldGrow(6, 5, 16, 512), true);
    assert.equal(shouldGrow(100, 0, 512, 512), false, 'at the cap');
    assert.equal(shouldGrow(0, 0, 16, 512), false);
  });
});

describe('keep-alive connections', () => {
  it('are not reused once idle long enough for a server to be closing them', async () => {
    const connection = await HttpConnection.open(port, 2_000);
    try {
      const since = connection.idleSince;
      assert.equal(connection.reusable(since + REUSE_IDLE_MS - 1), true);
      // Not at exactly `since + REUSE_IDLE_MS`: (since + 4000) - since can round to 3999.9999999 in floating point.
      assert.equal(connection.reusable(since + REUSE_IDLE_MS + 0.01), false);
      // A response restarts the idle clock.
      await new Promise<void>((resolve, reject) =>
        connection.send(spec('/').bytes, {
          onHeaders: () => {},
          onBody: () => {},
          onComplete: () => resolve(),
          onFailure: (kind) => reject(new Error(kind)),
        }),
      );
      assert.ok(connection.idleSince > since);
      assert.equal(connection.reusable(connection.idleSince + REUSE_IDLE_MS - 1), true);
      assert.ok(REUSE_IDLE_MS < 5_000, "below Node's default keepAliveTimeout");
    } finally {
      connection.destroy();
    }
    assert.equal(connection.reusable(connection.idleSince), false);
  });
});
