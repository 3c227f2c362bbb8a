// The analyze stage's abort rule through a real gateway (issue 4: "abort propagated from the request's
// signal"): a request body of 64 KB or more is analysed with its request's signal, so a client that leaves
// while its analysis waits for the thread takes the task out of the queue; a smaller one is analysed anyway
// (it would finish in well under a millisecond, less than wiring the abort costs; stages/analyze.ts says why).
// One analysis thread, held by prompts of several megabytes, keeps the request queued while its client leaves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestRecord } from '../../analytics/record.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { prose } from '../support/prose.js';
import { waitFor } from '../support/wait.js';

// Analysed for a second or more on any machine this runs on: the window in which the next request queues.
const BLOCKER = prose(6_000_000, 1);

describe('analysis: a client that leaves while its large body waits for the analysis', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({
      workers: { threads: 1 },
      server: { max_body_bytes: 16 * 1024 * 1024 },
      providers: { simulator: { type: 'simulator', ttft_ms: 0, tokens_per_second: 0 } },
      models: { 'sim-a': { provider: 'simulator', simulation: { output_tokens: 4 } } },
    });
  });
  after(() => gateway.shutdown(0));

  async function sample(name: string): Promise<number> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{pool="analysis"} `));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  }
  const runs = () => sample('gateway_worker_task_run_seconds_count');
  const queued = () => sample('gateway_worker_queue_size');

  /**
   * Sends a request behind two blockers, waits until its analysis is queued, then leaves. Two, because the
   * order in which requests reach the pool is not the order they were sent (a 6 MB body takes longer to
   * arrive and parse than a small one): once one blocker waits behind the other, the thread is held for a
   * whole blocker's analysis, and a request that then makes the queue two long is the one waiting.
   * Answers with its record and the count of analyses run before the blockers.
   */
  async function leaveWhileQueued(content: string): Promise<{ record: RequestRecord; before: number }> {
    const before = await runs();
    const block = (seed: number) =>
      gateway.post('/v1/chat/completions', {
        model: 'sim-a',
        messages: [{ role: 'user', content: seed === 1 ? BLOCKER : `${BLOCKER} ` }],
      });
    const blockers = [block(1), block(2)];
    await waitFor(async () => (await queued()) >= 1, 'a blocker to wait behind the other', 10_000);
    const client = new AbortController();
    const tag = `leaver-${content.length}`;
    const leaving = fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': tag },
      body: JSON.stringify({ model: 'sim-a', messages: [{ role: 'user', content }] }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await waitFor(async () => (await queued()) >= 2, 'the request to queue behind them', 10_000);
    assert.equal(await runs(), before, 'the first blocker still runs');
    client.abort();
    assert.ok((await leaving) instanceof Error, 'the client left before an answer');
    for (const blocker of blockers) assert.equal((await blocker).status, 200);
    const record = await waitFor(
      () => gateway.records.find((r) => r.client_request_id === tag),
      'the record of the request whose client left',
    );
    return { record, before };
  }

  it('drops the queued analysis of a body of 64 KB or more', async () => {
    const { record, before } = await leaveWhileQueued(prose(80_000, 2));
    assert.equal(record.client_aborted, true);
    assert.equal(record.status, 0);
    assert.equal(record.prompt_tokens_counted, null, 'no analysis to record');
    // Had it stayed queued, it would run as soon as the blockers' thread is free: give it that time.
    await waitFor(async () => (await queued()) === 0, 'an empty queue', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await runs(), before + 2, 'only the blockers were analysed');
  });

  it('still analyses a small body whose client left (the rule: not worth an abort listener)', async () => {
    const { record, before } = await leaveWhileQueued(prose(2_000, 3));
    assert.equal(record.client_aborted, true);
    await waitFor(
      async () => (await runs()) === before + 3,
      'the small task to run after the blockers',
      10_000,
    );
  });
});
