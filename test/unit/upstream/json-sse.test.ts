// An upstream SSE body read as JSON events: every event of a read passed on in order, the end marker honoured
// even with more bytes behind it in the same read, and the upstream transfer stopped whenever the reader stops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyQueue } from '../../../dataplane/upstream/body-queue.js';
import { jsonSseEvents, type JsonSseDialect } from '../../../dataplane/upstream/json-sse.js';
import { AbortListeners } from '../../../dataplane/net/abortable.js';
import { isGatewayError } from '../../../dataplane/errors/gateway-error.js';

interface Event {
  n: number;
  type?: string;
}

function upstream(reads: string[], ended = true): { body: BodyQueue; aborted: () => boolean } {
  let aborted = false;
  const body = new BodyQueue({
    pause: () => undefined,
    resume: () => undefined,
    abort: () => {
      aborted = true;
    },
  });
  for (const read of reads) body.push(Buffer.from(read));
  if (ended) body.end();
  return { body, aborted: () => aborted };
}

const openAI: JsonSseDialect<Event> = { endMarker: '[DONE]', sentinel: '[DONE]', check: () => undefined };

async function collect(body: BodyQueue, dialect: JsonSseDialect<Event>): Promise<Event[]> {
  const out: Event[] = [];
  const events = jsonSseEvents<Event>({ status: 200, headers: {}, body }, new AbortListeners(), dialect);
  for await (const item of events) out.push(item.data);
  return out;
}

describe('jsonSseEvents', () => {
  it('passes on every event of one read, in order, with its raw text', async () => {
    const { body } = upstream(['data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n']);
    const raws: (string | undefined)[] = [];
    for await (const item of jsonSseEvents<Event>(
      { status: 200, headers: {}, body },
      new AbortListeners(),
      openAI,
    ))
      raws.push(item.raw);
    assert.deepEqual(raws, ['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('stops at the sentinel and at the last event even with more events behind them in the read', async () => {
    const sentinel = upstream(['data: {"n":1}\n\ndata: [DONE]\n\ndata: {"n":2}\n\n'], false);
    assert.deepEqual(await collect(sentinel.body, openAI), [{ n: 1 }]);
    assert.equal(sentinel.aborted(), true, 'the rest of the transfer is stopped');
    const last = upstream(['data: {"n":1,"type":"stop"}\n\ndata: {"n":2}\n\n'], false);
    const anthropic: JsonSseDialect<Event> = {
      endMarker: 'stop',
      isLast: (data) => data.type === 'stop',
      check: () => undefined,
    };
    assert.deepEqual(await collect(last.body, anthropic), [{ n: 1, type: 'stop' }]);
    assert.equal(last.aborted(), true);
  });

  it('takes a final data line without its blank line at the end of the body', async () => {
    const { body } = upstream(['data: {"n":1}\n\n', 'data: {"n":2}\n\ndata: [DO', 'NE]']);
    assert.deepEqual(await collect(body, openAI), [{ n: 1 }, { n: 2 }]);
  });

  it('stops the upstream when the reader leaves early or an event is not JSON', async () => {
    const early = upstream(['data: {"n":1}\n\ndata: {"n":2}\n\n'], false);
    for await (const item of jsonSseEvents<Event>(
      { status: 200, headers: {}, body: early.body },
      new AbortListeners(),
      openAI,
    )) {
      assert.equal(item.data.n, 1);
      break;
    }
    assert.equal(early.aborted(), true);
    const broken = upstream(['data: {"n":1}\n\ndata: {oops\n\n'], false);
    await assert.rejects(collect(broken.body, openAI), (error: unknown) => {
      assert.ok(isGatewayError(error));
      assert.equal(error.code, 'upstream_invalid_response');
      return true;
    });
    assert.equal(broken.aborted(), true);
  });

  it('refuses a body that ends without the end marker', async () => {
    const { body } = upstream(['data: {"n":1}\n\n']);
    await assert.rejects(collect(body, openAI), (error: unknown) => {
      assert.ok(isGatewayError(error));
      assert.equal(error.code, 'stream_interrupted');
      return true;
    });
  });
});
