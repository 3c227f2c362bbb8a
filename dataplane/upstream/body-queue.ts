// An upstream response body as an async iterable of Buffers, fed by undici's dispatch handler. It pauses the
// upstream socket when more than `highWaterMark` bytes wait unread and resumes it as the reader catches up,
// so a slow client slows the upstream through TCP instead of growing memory.
export interface FlowControl {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

export class BodyQueue implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private ended = false;
  private failure: unknown = undefined;
  private paused = false;
  private waiter: (() => void) | undefined;
  destroyed = false;

  constructor(
    private readonly flow: FlowControl,
    private readonly highWaterMark = 64 * 1024,
  ) {}

  /** From the handler: a chunk arrived. */
  push(chunk: Buffer): void {
    if (this.destroyed) return;
    this.chunks.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= this.highWaterMark && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
    this.wake();
  }

  /** From the handler: the body is complete. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** From the handler: the body failed (socket reset, idle timeout...). */
  fail(error: unknown): void {
    this.failure ??= error;
    this.ended = true;
    this.wake();
  }

  /** Stops the upstream transfer (the reader left early). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.ended) this.flow.abort(new Error('upstream body abandoned by the reader'));
    this.chunks.length = 0;
    this.wake();
  }

  /** Next chunk, or undefined at the end; throws the body's failure. */
  async read(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.head < this.chunks.length) {
        const chunk = this.chunks[this.head]!;
        this.chunks[this.head++] = undefined as unknown as Buffer;
        if (this.head === this.chunks.length) {
          this.chunks.length = 0;
          this.head = 0;
        }
        this.queued -= chunk.length;
        if (this.paused && this.queued < this.highWaterMark / 2) {
          this.paused = false;
          this.flow.resume();
        }
        return chunk;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended || this.destroyed) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  /** The whole body as UTF-8 text; more than `limit` bytes aborts the transfer and throws. */
  async text(limit: number, tooLarge: () => Error): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for (let chunk = await this.read(); chunk !== undefined; chunk = await this.read()) {
      size += chunk.length;
      if (size > limit) {
        this.destroy();
        throw tooLarge();
      }
      parts.push(chunk);
    }
    return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, size).toString('utf8');
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: async () => {
        const value = await this.read();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: () => {
        this.destroy();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  private wake(): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter();
    }
  }
}
