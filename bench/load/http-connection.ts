// One keep-alive HTTP/1.1 connection of the load generator, raw `net` socket, one request in flight (no
// pipelining). The host is fixed to 127.0.0.1: the bench can only ever send traffic to this machine.
import { connect, type Socket } from 'node:net';
import { HttpParseError, ResponseParser, type ResponseSink } from './response-parser.js';

export const LOOPBACK = '127.0.0.1';

export type FailureKind = 'connect' | 'reset' | 'closed' | 'protocol';

/** Receives one exchange's events; `now` is performance.now() taken once per socket read. */
export interface ExchangeSink {
  onHeaders(status: number, now: number): void;
  onBody(chunk: Uint8Array, now: number): void;
  onComplete(now: number): void;
  onFailure(kind: FailureKind, now: number): void;
}

/**
 * A connection idle this long is not reused: servers close idle keep-alive connections (Node's http server
 * after 5 s, uWS after 10 s), and a request written just as that close arrives would fail with no fault of
 * the target's. Browsers and HTTP client pools retire idle connections the same way.
 */
export const REUSE_IDLE_MS = 4_000;

export class HttpConnection implements ResponseSink {
  closed = false;
  /** performance.now() when the connection last became idle (opened, or its response ended). */
  idleSince = performance.now();
  private readonly parser = new ResponseParser(this);
  private sink: ExchangeSink | undefined;
  private now = 0;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.onGone('reset'));
    socket.on('close', () => this.onGone('closed'));
  }

  static open(port: number, timeoutMs: number): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: LOOPBACK, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${LOOPBACK}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new HttpConnection(socket));
      });
    });
  }

  get busy(): boolean {
    return this.sink !== undefined;
  }

  /** Whether a request may go on this connection now (open, and not idle long enough to be closing). */
  reusable(now: number): boolean {
    return !this.closed && now - this.idleSince < REUSE_IDLE_MS;
  }

  /** Sends a complete request (head and body in one buffer); the sink gets the response. */
  send(request: Buffer, sink: ExchangeSink): void {
    if (this.closed) {
      sink.onFailure('closed', performance.now());
      return;
    }
    this.sink = sink;
    this.parser.reset();
    this.socket.write(request);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  onHeaders(status: number): void {
    this.sink?.onHeaders(status, this.now);
  }

  onBody(chunk: Uint8Array): void {
    this.sink?.onBody(chunk, this.now);
  }

  onComplete(): void {
    const sink = this.sink;
    this.sink = undefined;
    this.idleSince = this.now;
    if (!this.parser.keepAlive) this.destroy();
    sink?.onComplete(this.now);
  }

  private onData(chunk: Buffer): void {
    this.now = performance.now();
    if (this.sink === undefined) {
      // Bytes nobody asked for: the server is confused, so is this connection.
      this.destroy();
      return;
    }
    try {
      const left = this.parser.push(chunk);
      if (left > 0) throw new HttpParseError('data after the end of the response');
    } catch (error) {
      this.fail(error instanceof HttpParseError ? 'protocol' : 'reset');
    }
  }

  private onGone(kind: FailureKind): void {
    this.closed = true;
    if (this.sink === undefined) return;
    this.now = performance.now();
    try {
      this.parser.end();
    } catch {
      this.fail(kind);
    }
  }

  private fail(kind: FailureKind): void {
    const sink = this.sink;
    this.sink = undefined;
    this.destroy();
    sink?.onFailure(kind, this.now);
  }
}
