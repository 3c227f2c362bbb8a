// Incremental Server-Sent Events parser for upstream bodies (WHATWG rules: blank line ends an event,
// CRLF/CR/LF line endings, `data:` lines joined by \n, comments ignored). Multi-byte UTF-8 split across
// network chunks is handled by a streaming decoder.

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * The parser's state between network chunks. Synchronous: a chunk's events come back together, so a reader
 * handles one upstream read in one loop rather than paying an async generator's hand-off per event.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];

  /** The events this chunk of the body completes (often none, often several). */
  push(chunk: Uint8Array | string): SseEvent[] {
    const events: SseEvent[] = [];
    const buffer =
      this.buffer + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end might be the first half of CRLF: wait for more input.
        if (cr === buffer.length - 1) break;
        end = cr;
        next = buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const line = buffer.slice(start, end);
      start = next;
      if (line === '') {
        const data = this.data;
        if (data.length > 0)
          events.push({ event: this.event, data: data.length === 1 ? data[0]! : data.join('\n') });
        this.event = undefined;
        this.data = [];
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  /**
   * The body ended. A final event without its blank line is incomplete by the SSE rules and is dropped, except
   * a trailing data line, which some servers send without the last newline.
   */
  end(): SseEvent[] {
    const buffer = this.buffer + this.decoder.decode();
    this.buffer = '';
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = undefined;
    const tail = buffer.replace(/\r?\n?$/, '');
    if (tail.startsWith('data:')) data.push(tail.slice(5).replace(/^ /, ''));
    return data.length > 0 ? [{ event, data: data.join('\n') }] : [];
  }
}
