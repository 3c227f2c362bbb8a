// One HTTP exchange over a uWS response: abort tracking, a bounded body reader, and writes that are corked
// (required outside uWS callbacks) and honour backpressure, so a slow client never makes us buffer unboundedly.
import { STATUS_CODES } from 'node:http';
import type { HttpResponse } from 'uWebSockets.js';
import { GatewayError } from '../errors/gateway-error.js';
import { AbortListeners, type Abortable } from '../net/abortable.js';

/**
 * Chunks gathered in one turn are sent once they reach this many characters, even before its end: with the
 * chunk's framing it still fits uWS's 16 KB cork buffer (one send) when the text is ASCII.
 */
const TURN_FLUSH_CHARS = 12 * 1024;

const statusLines = new Map<number, string>();
function statusLine(status: number): string {
  let line = statusLines.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
    statusLines.set(status, line);
  }
  return line;
}

/**
 * Ends the answer to a HEAD: the length GET's body would have, and no body. uWS v20.30's own
 * `endWithoutBody(length)` leaves the response pending (the process aborts when the handler returns) and with a
 * length of 0 adds its own `Content-Length: 0`; with no argument it writes none, so the header is ours. Closing
 * the connection after it (a drain's 503) only works through `endWithoutBody(0, true)`: that answer then says
 * `Content-Length: 0`, which a HEAD answer may.
 */
export function endHead(res: HttpResponse, body: string, close = false): void {
  if (close) {
    res.endWithoutBody(0, true);
    return;
  }
  res.writeHeader('content-length', String(Buffer.byteLength(body)));
  res.endWithoutBody();
}

export class HttpExchange {
  /** The client went away; nothing may be written any more. */
  aborted = false;
  /** The response was ended (by us). */
  finished = false;
  headersSent = false;
  bytesIn = 0;
  bytesOut = 0;
  /** stop() was called: the gateway ended the request at the end of its drain (the client is still there). */
  stopped = false;
  /** closeNow() was called: the connection was dropped on purpose. */
  private closedByUs = false;
  /** Fires when the client goes away; the request's `signal` (a plain listener list, see net/abortable.ts). */
  private readonly abortListeners = new AbortListeners();
  private bodyPromise: Promise<Buffer> | undefined;
  /** Fails the body being read: uWS calls neither onData again nor anything else once the client is gone. */
  private failBody: ((reason: unknown) => void) | undefined;
  private waiter: (() => void) | undefined;
  /** A streamed chunk went out in this event-loop turn: later ones wait in `pending` for its end. */
  private turnOpen = false;
  /** uWS holds unsent bytes of ours: nothing more is sent until it drains. */
  private blocked = false;
  private pending = '';
  private readonly doneCallbacks: (() => void)[] = [];

  /** `head`: a HEAD request, whose answers carry the headers (content-length included) and no body. */
  constructor(
    private readonly res: HttpResponse,
    private readonly head = false,
  ) {
    // Attached before any await, as uWS requires: after abort `res` must not be touched.
    res.onAborted(() => {
      // Our own closeNow(): the client did not leave, we refused it.
      if (this.closedByUs) return;
      this.aborted = true;
      const reason = new DOMException('The client closed the connection.', 'AbortError');
      this.abortListeners.abort(reason);
      // A client gone in the middle of its body would otherwise leave the request waiting forever: never
      // recorded, counted in flight until shutdown's grace period runs out.
      this.failBody?.(reason);
      this.wake();
      this.settle();
    });
  }

  /**
   * Stops the request at the end of a drain: its signal aborts with `reason` (a GatewayError, so the request
   * ends the way any error ends it: an error status, or a final SSE error event on a stream that has begun,
   * and a record with that code), while the client is still there to be told. Not the client's abort.
   */
  stop(reason: GatewayError): void {
    if (this.aborted || this.finished) return;
    this.stopped = true;
    this.abortListeners.abort(reason);
    this.failBody?.(reason);
    this.wake();
  }

  get signal(): Abortable {
    return this.abortListeners;
  }

  /** Runs once the exchange is over (response ended or client gone). */
  onDone(callback: () => void): void {
    if (this.finished || this.aborted) callback();
    else this.doneCallbacks.push(callback);
  }

  /**
   * Starts reading the body; must be called synchronously inside the uWS handler. Larger than `limit`
   * rejects with 413 as soon as the limit is passed (or at once when content-length says so).
   */
  readBody(limit: number, declaredLength: number | undefined): void {
    this.bodyPromise = new Promise<Buffer>((resolve, reject) => {
      this.failBody = reject;
      if (declaredLength !== undefined && declaredLength > limit) {
        reject(tooLarge(limit));
        // Keep draining nothing: the 413 closes the connection.
        this.res.onData(() => undefined);
        return;
      }
      let chunks: Buffer[] | undefined;
      let failed = false;
      this.res.onData((chunk, isLast) => {
        if (failed) return;
        this.bytesIn += chunk.byteLength;
        if (this.bytesIn > limit) {
          failed = true;
          reject(tooLarge(limit));
          return;
        }
        // uWS reuses the chunk's memory after this callback returns: copy it.
        if (isLast && chunks === undefined) {
          resolve(Buffer.copyBytesFrom(new Uint8Array(chunk)));
          return;
        }
        (chunks ??= []).push(Buffer.copyBytesFrom(new Uint8Array(chunk)));
        if (isLast) resolve(Buffer.concat(chunks));
      });
    });
    // The rejection is observed by the parse stage; avoid an unhandled-rejection report if it never runs.
    this.bodyPromise.catch(() => undefined);
  }

  body(): Promise<Buffer> {
    return this.bodyPromise ?? Promise.resolve(Buffer.alloc(0));
  }

  /** A whole response in one corked write. `close` asks uWS to close the connection after it. */
  send(status: number, headers: Record<string, string>, body: string, close = false): void {
    if (this.aborted || this.finished) return;
    this.finished = true;
    this.headersSent = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const name in headers) this.res.writeHeader(name, headers[name]!);
      if (this.head) endHead(this.res, body, close);
      else this.res.end(body, close);
    });
    if (!this.head) this.bytesOut += Buffer.byteLength(body);
    this.settle();
  }

  /**
   * Closes the connection at once, without an answer. Only for a request whose framing cannot be trusted:
   * uWS parses the bytes after the body it framed as the next request as soon as the handler returns, and
   * an answer (even one asking to close) would not stop that; closing inside the handler does.
   */
  closeNow(): void {
    if (this.aborted || this.finished) return;
    this.finished = true;
    this.closedByUs = true;
    this.res.close();
    this.settle();
  }

  /**
   * Starts a streamed response: the status line, the headers and its first chunk, in one corked write (one
   * send, so the client gets the headers and the first event in one segment). Returns like write().
   */
  beginStream(status: number, headers: Record<string, string>, first: string): Promise<void> | undefined {
    if (this.aborted || this.headersSent) return undefined;
    this.headersSent = true;
    this.res.onWritable(() => {
      this.blocked = false;
      this.flush();
      if (this.blocked) return false;
      this.wake();
      return true;
    });
    this.openTurn();
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const name in headers) this.res.writeHeader(name, headers[name]!);
      // An empty write would be taken for the end of a chunked body.
      if (first !== '') this.writeChunk(first);
    });
    return this.waitIfBlocked();
  }

  /**
   * Writes a chunk of a streamed response. The first chunk of an event-loop turn is sent at once; chunks
   * written later in the same turn (the other events of one upstream read, parsed in one go) wait for the end
   * of the turn and go out together: one send instead of one each, and the first still without delay.
   * Resolves at once while the socket keeps up; when uWS reports backpressure, resolves only once the socket
   * drained, so what waits is at most one turn's chunks.
   */
  write(chunk: string): Promise<void> | undefined {
    if (this.aborted || this.finished) return undefined;
    // An empty write would be taken for the end of a chunked body.
    if (chunk === '') return this.waitIfBlocked();
    if (this.blocked || this.turnOpen) {
      this.pending += chunk;
      // A source that never waits on I/O (a replayed answer) keeps the turn open: send once enough gathered.
      if (!this.blocked && this.pending.length >= TURN_FLUSH_CHARS) this.flush();
      return this.waitIfBlocked();
    }
    this.openTurn();
    this.res.cork(() => this.writeChunk(chunk));
    return this.waitIfBlocked();
  }

  /** Ends a streamed response, with the chunks still waiting for the end of the turn. */
  end(): void {
    if (this.aborted || this.finished) return;
    this.finished = true;
    const rest = this.pending;
    this.pending = '';
    this.bytesOut += Buffer.byteLength(rest);
    this.res.cork(() => {
      this.res.end(rest);
    });
    this.settle();
  }

  /** The peer's address as raw bytes (see net/format-address.ts); only valid before the response ends. */
  remoteAddressBytes(): Uint8Array {
    return new Uint8Array(this.res.getRemoteAddress());
  }

  /** A chunk is sent in this turn: the ones after it wait for its end (closeTurn). */
  private openTurn(): void {
    this.turnOpen = true;
    setImmediate(HttpExchange.closeTurn, this);
  }

  /** The turn's waiting chunks go out now (unless the socket is still full: then when it drains). */
  private static closeTurn(exchange: HttpExchange): void {
    exchange.turnOpen = false;
    if (!exchange.blocked) exchange.flush();
  }

  private flush(): void {
    if (this.pending === '' || this.aborted || this.finished) return;
    const chunk = this.pending;
    this.pending = '';
    this.res.cork(() => this.writeChunk(chunk));
  }

  /** Hands a chunk to uWS (inside a cork); uWS keeping some of it unsent blocks further sends. */
  private writeChunk(chunk: string): void {
    this.bytesOut += Buffer.byteLength(chunk);
    this.blocked = !this.res.write(chunk);
  }

  private waitIfBlocked(): Promise<void> | undefined {
    if (!this.blocked) return undefined;
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private settle(): void {
    const callbacks = this.doneCallbacks.splice(0);
    for (const callback of callbacks) callback();
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('body_too_large', `Request body is larger than the ${limit}-byte limit.`);
}
