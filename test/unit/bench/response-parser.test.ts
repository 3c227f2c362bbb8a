// The generator's HTTP/1.1 response parser, fed whole and in every possible split.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpParseError, ResponseParser, type ResponseSink } from '../../../bench/load/response-parser.js';

interface Seen {
  status: number[];
  body: string;
  complete: number;
}

function sink(seen: Seen): ResponseSink {
  return {
    onHeaders: (status) => seen.status.push(status),
    onBody: (chunk) => (seen.body += Buffer.from(chunk).toString('latin1')),
    onComplete: () => seen.complete++,
  };
}

function parse(pieces: readonly Buffer[]): { seen: Seen; parser: ResponseParser; leftover: number } {
  const seen: Seen = { status: [], body: '', complete: 0 };
  const parser = new ResponseParser(sink(seen));
  let leftover = 0;
  for (const piece of pieces) leftover += parser.push(piece);
  return { seen, parser, leftover };
}

/** Every way of cutting the bytes in two, plus byte by byte. */
function splits(raw: string): Buffer[][] {
  const bytes = Buffer.from(raw, 'latin1');
  const out: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Buffer.from([b])));
  return out;
}

const FIXED = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n' +
  '7\r\ndata: 1\r\n' +
  'a;ext=1\r\n\n\ndata: 2\n\r\n' +
  '0\r\nX-Trailer: yes\r\n\r\n';

describe('ResponseParser', () => {
  it('reads a Content-Length body in any split', () => {
    for (const pieces of splits(FIXED)) {
      const { seen, parser, leftover } = parse(pieces);
      assert.deepEqual(seen.status, [200]);
      assert.equal(seen.body, '{"ok":true}');
      assert.equal(seen.complete, 1);
      assert.equal(leftover, 0);
      assert.ok(parser.keepAlive);
    }
  });

  it('reads a chunked body with extensions and trailers in any split', () => {
    for (const pieces of splits(CHUNKED)) {
      const { seen } = parse(pieces);
      assert.equal(seen.body, 'data: 1\n\ndata: 2\n');
      assert.equal(seen.complete, 1);
    }
  });

  it('skips interim 1xx responses', () => {
    const { seen } = parse([Buffer.from(`HTTP/1.1 100 Continue\r\n\r\n${FIXED}`, 'latin1')]);
    assert.deepEqual(seen.status, [200]);
    assert.equal(seen.complete, 1);
  });

  it('completes empty bodies at once', () => {
    for (const raw of ['HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n']) {
      const { seen } = parse([Buffer.from(raw)]);
      assert.equal(seen.complete, 1);
    }
  });

  it('honours Connection: close and HTTP/1.0', () => {
    assert.equal(
      parse([Buffer.from(FIXED.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'))]).parser.keepAlive,
      false,
    );
    assert.equal(parse([Buffer.from(FIXED.replace('HTTP/1.1', 'HTTP/1.0'))]).parser.keepAlive, false);
  });

  it('reads a body that runs until the connection closes', () => {
    const { seen, parser } = parse([Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc'), Buffer.from('def')]);
    assert.equal(seen.complete, 0);
    parser.end();
    assert.equal(seen.complete, 1);
    assert.equal(seen.body, 'abcdef');
    assert.equal(parser.keepAlive, false);
  });

  it('reports a response cut by the peer', () => {
    const { parser } = parse([Buffer.from(FIXED.slice(0, -3))]);
    assert.throws(() => parser.end(), HttpParseError);
  });

  it('reports bytes after the end of the response', () => {
    const { leftover, seen } = parse([Buffer.from(`${FIXED}HTTP/1.1`, 'latin1')]);
    assert.equal(seen.complete, 1);
    assert.equal(leftover, 8);
  });

  it('does not parse past the end even when the sink restarts it', () => {
    const seen: Seen = { status: [], body: '', complete: 0 };
    const parser: ResponseParser = new ResponseParser({
      ...sink(seen),
      onComplete: () => {
        seen.complete++;
        parser.reset();
      },
    });
    assert.equal(parser.push(Buffer.from(FIXED + FIXED)), FIXED.length);
    assert.equal(seen.complete, 1);
  });

  it('rejects garbage', () => {
    assert.throws(() => parse([Buffer.from('SSH-2.0-OpenSSH\r\n\r\n')]), HttpParseError);
    assert.throws(
      () => parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]),
      HttpParseError,
    );
    assert.throws(
      () => parse([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n')]),
      HttpParseError,
    );
  });

  it('can be reused for the next response on the connection', () => {
    const seen: Seen = { status: [], body: '', complete: 0 };
    const parser = new ResponseParser(sink(seen));
    parser.push(Buffer.from(FIXED));
    parser.reset();
    parser.push(Buffer.from(CHUNKED));
    assert.equal(seen.complete, 2);
    assert.deepEqual(seen.status, [200, 200]);
  });
});
