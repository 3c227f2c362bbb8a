// One request/response as the generator sees it: timestamps for headers, first SSE chunk and last byte,
// status, body and stream checks, then the result goes into the Recorder. Reused across requests of a
// connection.
import { checkCompletionBody, MAX_CHECKED_BODY } from './completion-check.js';
import type { ExchangeSink, FailureKind } from './http-connection.js';
import type { Recorder } from './recorder.js';
import { SseCounter } from './sse-counter.js';

export interface RequestSpec {
  port: number;
  /** The whole request, head and body. */
  bytes: Buffer;
  stream: boolean;
  /** JSON events a streamed response must carry (before [DONE]); checked when set. */
  expectedEvents: number | undefined;
  /** Non-streamed: the answer's `choices[0].message.content` must equal this, when set. */
  expectedContent?: string | undefined;
}

const BRACE = 123; // "{"

export class Exchange implements ExchangeSink {
  private origin = 0;
  private headersAt = Number.NaN;
  private firstChunkAt = Number.NaN;
  private status = 0;
  private record = false;
  private readonly counter = new SseCounter();
  /** Non-streamed body, kept whole for the completion check (bounded by MAX_CHECKED_BODY). */
  private body: Uint8Array[] = [];
  private bodyBytes = 0;

  /** `"content":"<the expected answer>"` as bytes: what a body passed through byte for byte holds. */
  private readonly contentMark: Buffer | undefined;

  constructor(
    private readonly spec: RequestSpec,
    private readonly recorder: Recorder,
    private readonly onFinish: (exchange: Exchange, now: number) => void,
  ) {
    this.contentMark =
      spec.expectedContent === undefined
        ? undefined
        : Buffer.from(`"content":${JSON.stringify(spec.expectedContent)}`);
  }

  /**
   * Arms the exchange. `origin` is where latency counts from; `sentAt` is when it actually leaves; `record`
   * is false during warm-up.
   */
  begin(origin: number, sentAt: number, record: boolean): void {
    this.origin = origin;
    this.headersAt = Number.NaN;
    this.firstChunkAt = Number.NaN;
    this.status = 0;
    this.record = record;
    if (this.spec.stream) this.counter.reset();
    else {
      this.body = [];
      this.bodyBytes = 0;
    }
    if (record && origin !== sentAt) this.recorder.sendLag.push((sentAt - origin) * 1000);
  }

  /** Stops recording this exchange: the phase is over and it was already counted as a timeout. */
  abandon(): void {
    this.record = false;
  }

  /**
   * Still out at the phase's deadline: a measured request is a timeout and enters the percentiles at its lower
   * bound (its time to `now`); a warm-up one is shown apart, so a hanging target is not silence, but is not a
   * measured error. Either way it stops recording.
   */
  timeOut(now: number): void {
    if (this.record) {
      this.recorder.error('timeout');
      this.recorder.censor(this.origin, now);
    } else this.recorder.warmupTimeouts++;
    this.record = false;
  }

  onHeaders(status: number, now: number): void {
    this.status = status;
    this.headersAt = now;
  }

  onBody(chunk: Uint8Array, now: number): void {
    if (!this.spec.stream) {
      // Views into the socket's read buffers, which Node allocates afresh per read: kept without a copy.
      this.bodyBytes += chunk.length;
      if (this.bodyBytes <= MAX_CHECKED_BODY) this.body.push(chunk);
      return;
    }
    const before = this.counter.dataLines;
    if (this.counter.push(chunk) > 0 && before === 0) this.firstChunkAt = now;
  }

  onComplete(now: number): void {
    const r = this.recorder;
    const kind = this.problem();
    if (kind === undefined) r.success(now);
    if (this.record) {
      r.completion(now);
      if (kind === undefined) {
        r.ok++;
        r.total.push((now - this.origin) * 1000);
        r.headers.push((this.headersAt - this.origin) * 1000);
        if (this.spec.stream) r.firstChunk.push((this.firstChunkAt - this.origin) * 1000);
      } else r.error(kind);
    }
    this.onFinish(this, now);
  }

  onFailure(kind: FailureKind, now: number): void {
    if (this.record) {
      this.recorder.completion(now);
      this.recorder.error(kind);
    }
    this.onFinish(this, now);
  }

  private problem(): string | undefined {
    if (this.status < 200 || this.status >= 300) return `http_${this.status}`;
    if (!this.spec.stream) {
      if (this.bodyBytes > MAX_CHECKED_BODY) return 'bad_body';
      const body =
        this.body.length === 1 ? Buffer.from(this.body[0]!) : Buffer.concat(this.body, this.bodyBytes);
      // Fast path (one native search, ≈ 0.5 µs; a JSON.parse costs ≈ 2 µs, paid by the generator on every
      // answer): a JSON object holding the expected content field, as every target passes the mock's answer
      // through. Anything else is parsed, to tell a broken body from a wrong answer.
      if (this.contentMark !== undefined && body[0] === BRACE && body.indexOf(this.contentMark) !== -1)
        return undefined;
      return checkCompletionBody(body.toString('utf8'), this.spec.expectedContent);
    }
    if (this.counter.badEvents > 0) return 'bad_chunk';
    if (!this.counter.doneSeen) return 'stream_no_done';
    if (this.counter.trailingGarbage) return 'stream_after_done';
    if (this.spec.expectedEvents !== undefined && this.counter.jsonEvents !== this.spec.expectedEvents) {
      return 'stream_chunk_count';
    }
    return undefined;
  }
}
