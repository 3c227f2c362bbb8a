// How a streamed response reaches uWS: each corked block is one send on the socket, so the order and grouping
// of the calls made inside `cork` is what the client receives segment by segment. A recording stand-in for
// uWS's HttpResponse makes that grouping visible; the integration tests run the same code on real uWS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as turnEnd } from 'node:timers/promises';
import type { HttpResponse } from 'uWebSockets.js';
import { HttpExchange } from '../../../dataplane/server/exchange.js';

class RecordingResponse {
  /** One entry per corked block: the calls made in it. */
  readonly sends: string[][] = [];
  /** What the next write() returns (false: uWS kept bytes it could not send yet). */
  accept = true;
  private block: string[] | undefined;
  private writable: ((offset: number) => boolean) | undefined;
  private aborted: (() => void) | undefined;

  onAborted(handler: () => void): this {
    this.aborted = handler;
    return this;
  }
  /** The client went away: uWS calls the abort handler, and `res` may not be touched after it. */
  abort(): void {
    this.aborted!();
    this.gone = true;
  }
  gone = false;
  onWritable(handler: (offset: number) => boolean): this {
    this.writable = handler;
    return this;
  }
  cork(fn: () => void): this {
    if (this.block !== undefined) {
      fn();
      return this;
    }
    this.block = [];
    fn();
    this.sends.push(this.block);
    this.block = undefined;
    return this;
  }
  writeStatus(status: string): this {
    this.record(`status ${status}`);
    return this;
  }
  writeHeader(name: string, _value: string): this {
    this.record(`header ${name}`);
    return this;
  }
  write(chunk: string): boolean {
    this.record(`write ${chunk}`);
    return this.accept;
  }
  end(body?: string): this {
    this.record(`end ${body ?? ''}`);
    return this;
  }
  /** uWS reporting the socket drained: its onWritable handler runs inside a corked callback. */
  drain(): boolean {
    let result = false;
    this.cork(() => {
      result = this.writable!(0);
    });
    return result;
  }
  private record(call: string): void {
    assert.ok(!this.gone, `${call} after the client went away`);
    assert.ok(this.block !== undefined, `${call} outside cork`);
    this.block.push(call);
  }
}

function exchangeOver(res: RecordingResponse): HttpExchange {
  return new HttpExchange(res as unknown as HttpResponse);
}

describe('streamed writes', () => {
  it('sends the status line, the headers and the first chunk in one block', () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    assert.equal(
      exchange.beginStream(200, { 'content-type': 'text/event-stream' }, 'data: 1\n\n'),
      undefined,
    );
    assert.deepEqual(res.sends, [['status 200 OK', 'header content-type', 'write data: 1\n\n']]);
  });

  it('gathers the chunks written later in the same turn into one send at its end', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, 'a;');
    for (const chunk of ['b;', 'c;', 'd;']) assert.equal(exchange.write(chunk), undefined);
    assert.equal(res.sends.length, 1, 'nothing more is sent before the turn ends');
    await turnEnd();
    assert.deepEqual(res.sends.slice(1), [['write b;c;d;']]);
    // A new turn: its first chunk goes out at once again.
    void exchange.write('e;');
    void exchange.write('f;');
    assert.deepEqual(res.sends.slice(2), [['write e;']]);
    exchange.end();
    assert.deepEqual(res.sends.slice(3), [['end f;']], 'the waiting chunk ends the response with it');
    await turnEnd();
    assert.equal(res.sends.length, 4, 'nothing is sent after the end');
    assert.equal(exchange.bytesOut, 'a;b;c;d;e;f;'.length);
  });

  it('sends a turn that gathers 12 K characters without waiting for its end', () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, 'first');
    const piece = 'x'.repeat(4096);
    for (let i = 0; i < 3; i++) void exchange.write(piece);
    assert.deepEqual(res.sends.slice(1), [[`write ${piece.repeat(3)}`]]);
  });

  it('counts the bytes handed to uWS, not those dropped when the client leaves', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, 'é;');
    void exchange.write('held;');
    res.abort();
    assert.equal(exchange.bytesOut, Buffer.byteLength('é;'));
    await turnEnd();
    assert.equal(res.sends.length, 1, 'what waited for the turn is not sent to a client that left');
    assert.equal(exchange.write('later;'), undefined);
    exchange.end();
    assert.equal(res.sends.length, 1);
  });

  it('lets a writer waiting for the socket go when the client leaves', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    res.accept = false;
    const full = exchange.beginStream(200, {}, 'a;');
    assert.ok(full instanceof Promise);
    res.abort();
    await full;
    assert.equal(exchange.aborted, true);
  });

  it('ignores an empty write, which uWS would take for the end of a chunked body', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, 'a;');
    await turnEnd();
    assert.equal(exchange.write(''), undefined);
    assert.equal(res.sends.length, 1);
  });

  it('resumes the writer only when the socket drained, and sends again at once after that', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    res.accept = false;
    const full = exchange.beginStream(200, {}, 'a;');
    assert.ok(full instanceof Promise, 'the writer is told to wait');
    let resumed = false;
    void full.then(() => {
      resumed = true;
    });
    res.accept = true;
    await turnEnd();
    assert.equal(resumed, false, 'the end of a turn does not resume a writer the socket holds back');
    assert.equal(res.drain(), true);
    await full;
    assert.equal(exchange.write('b;'), undefined);
    assert.deepEqual(res.sends.slice(1), [[], ['write b;']]);
  });

  it('keeps waiting when what the drain sends fills the socket again', async () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, 'a;');
    res.accept = false;
    void exchange.write('b;');
    await turnEnd();
    const waiting = exchange.write('c;');
    assert.ok(waiting instanceof Promise);
    let resumed = false;
    void waiting.then(() => {
      resumed = true;
    });
    assert.equal(res.drain(), false, 'uWS is told the socket is still full');
    await turnEnd();
    assert.equal(resumed, false);
    res.accept = true;
    assert.equal(res.drain(), true);
    await waiting;
    assert.equal(resumed, true);
    assert.deepEqual(
      res.sends.map((block) => block.join('|')),
      ['status 200 OK|write a;', 'write b;', 'write c;', ''],
    );
  });

  it('starts a stream without frames with its headers only (an empty write would end a chunked body)', () => {
    const res = new RecordingResponse();
    const exchange = exchangeOver(res);
    void exchange.beginStream(200, {}, '');
    exchange.end();
    assert.deepEqual(res.sends, [['status 200 OK'], ['end ']]);
  });
});
