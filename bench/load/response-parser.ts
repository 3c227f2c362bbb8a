// Incremental HTTP/1.1 response parser for the load generator: status, headers, and a body framed by
// Content-Length, chunked transfer coding or connection close. One response at a time (no pipelining).
// Written for low CPU per response, because on a 2-core box every µs the generator spends is taken from
// the gateway under test.

export interface ResponseSink {
  onHeaders(status: number): void;
  /** Body bytes with any chunked framing removed; the view is only valid during the call. */
  onBody(chunk: Uint8Array): void;
  onComplete(): void;
}

export class HttpParseError extends Error {
  override name = 'HttpParseError';
}

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

export class ResponseParser {
  private state = State.Head;
  private head: Buffer | undefined;
  private remaining = 0;
  private line = '';
  private keepAliveFlag = true;
  /** Set when a response completes inside push(), so bytes after it are never parsed as a new one. */
  private completed = false;
  private sink: ResponseSink;

  constructor(sink: ResponseSink) {
    this.sink = sink;
  }

  /** Starts a new response; `sink` replaces the previous one when given. */
  reset(sink?: ResponseSink): void {
    if (sink !== undefined) this.sink = sink;
    this.state = State.Head;
    this.head = undefined;
    this.remaining = 0;
    this.line = '';
    this.keepAliveFlag = true;
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** False when the server asked to close, or when the body runs until close. */
  get keepAlive(): boolean {
    return this.keepAliveFlag;
  }

  /** Feeds bytes; returns how many bytes were left over after a complete response (a protocol error). */
  push(buf: Uint8Array): number {
    let pos = 0;
    const len = buf.length;
    this.completed = false;
    while (pos < len && !this.completed) {
      switch (this.state) {
        case State.Head:
          pos = this.readHead(buf, pos);
          break;
        case State.FixedBody: {
          const take = Math.min(this.remaining, len - pos);
          this.sink.onBody(buf.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.ChunkSize:
        case State.Trailers:
          pos = this.readLine(buf, pos);
          break;
        case State.ChunkData: {
          const take = Math.min(this.remaining, len - pos);
          this.sink.onBody(buf.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.remaining = 2;
          }
          break;
        }
        case State.ChunkDataEnd: {
          // The CRLF after chunk data; checked byte by byte as it may be split across reads.
          const expected = this.remaining === 2 ? CR : LF;
          if (buf[pos] !== expected) throw new HttpParseError('missing CRLF after chunk data');
          pos++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.sink.onBody(buf.subarray(pos));
          pos = len;
          break;
        case State.Done:
          return len - pos;
      }
    }
    return this.completed ? len - pos : 0;
  }

  /** The peer closed the connection: ends a read-until-close body, otherwise the response is cut. */
  end(): void {
    if (this.state === State.UntilClose) {
      this.finish();
      return;
    }
    if (this.state !== State.Done) throw new HttpParseError('connection closed before the response ended');
  }

  private readHead(buf: Uint8Array, pos: number): number {
    const chunk = Buffer.from(buf.buffer, buf.byteOffset + pos, buf.length - pos);
    const joined = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    const end = joined.indexOf(HEAD_END);
    if (end === -1) {
      if (joined.length > MAX_HEAD) throw new HttpParseError('response head too large');
      // Copy: the caller's buffer is reused by the socket after this call.
      this.head = Buffer.from(joined);
      return buf.length;
    }
    const consumedFromChunk = end + 4 - (this.head?.length ?? 0);
    this.head = undefined;
    this.applyHead(joined.toString('latin1', 0, end));
    return pos + consumedFromChunk;
  }

  private applyHead(text: string): void {
    const lines = text.split('\r\n');
    const statusLine = lines[0]!;
    if (!statusLine.startsWith('HTTP/1.'))
      throw new HttpParseError(`bad status line: ${statusLine.slice(0, 40)}`);
    const status = Number.parseInt(statusLine.slice(9, 12), 10);
    if (!Number.isInteger(status)) throw new HttpParseError(`bad status: ${statusLine.slice(0, 40)}`);
    if (status >= 100 && status < 200) return; // interim response: the real head follows
    let length = -1;
    let chunked = false;
    this.keepAliveFlag = statusLine.charCodeAt(7) !== 48; // HTTP/1.0 closes by default
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      const colon = l.indexOf(':');
      if (colon <= 0) continue;
      const name = l.slice(0, colon).toLowerCase();
      if (name === 'content-length') length = Number.parseInt(l.slice(colon + 1).trim(), 10);
      else if (name === 'transfer-encoding')
        chunked = l
          .slice(colon + 1)
          .toLowerCase()
          .includes('chunked');
      else if (name === 'connection') {
        const value = l
          .slice(colon + 1)
          .trim()
          .toLowerCase();
        if (value === 'close') this.keepAliveFlag = false;
        else if (value === 'keep-alive') this.keepAliveFlag = true;
      }
    }
    this.sink.onHeaders(status);
    if (status === 204 || status === 304) this.finish();
    else if (chunked) this.state = State.ChunkSize;
    else if (length >= 0) {
      this.remaining = length;
      if (length === 0) this.finish();
      else this.state = State.FixedBody;
    } else {
      this.keepAliveFlag = false;
      this.state = State.UntilClose;
    }
  }

  /** Reads one CRLF-terminated line (chunk size or trailer), which may arrive in pieces. */
  private readLine(buf: Uint8Array, pos: number): number {
    let i = pos;
    while (i < buf.length && buf[i] !== LF) i++;
    if (i === buf.length) {
      this.line += Buffer.from(buf.buffer, buf.byteOffset + pos, i - pos).toString('latin1');
      if (this.line.length > 1024) throw new HttpParseError('chunk line too long');
      return i;
    }
    let text = this.line + Buffer.from(buf.buffer, buf.byteOffset + pos, i - pos).toString('latin1');
    this.line = '';
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (this.state === State.Trailers) {
      if (text === '') this.finish();
    } else {
      const semi = text.indexOf(';');
      const size = Number.parseInt(semi === -1 ? text : text.slice(0, semi), 16);
      if (!Number.isInteger(size) || size < 0)
        throw new HttpParseError(`bad chunk size: ${text.slice(0, 20)}`);
      if (size === 0) this.state = State.Trailers;
      else {
        this.state = State.ChunkData;
        this.remaining = size;
      }
    }
    return i + 1;
  }

  private finish(): void {
    this.state = State.Done;
    this.completed = true;
    this.sink.onComplete();
  }
}
