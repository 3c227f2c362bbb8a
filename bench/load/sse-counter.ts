// Counts SSE `data:` lines in a response body as it streams in, and notices `data: [DONE]`, without
// decoding or parsing JSON: the generator only checks framing and chunk count, cheaply. One `data:` line per
// event is assumed, as OpenAI-style servers send.

const DATA = [100, 97, 116, 97, 58]; // "data:"
const DONE = [91, 68, 79, 78, 69, 93]; // "[DONE]"
const LF = 10;
const CR = 13;
const SPACE = 32;

const enum Mode {
  Prefix,
  Value,
  SkipLine,
}

export class SseCounter {
  /** `data:` lines seen, [DONE] included. */
  dataLines = 0;
  doneSeen = false;
  /** Bytes seen after [DONE] that are not blank lines: a server that keeps talking after the end. */
  trailingGarbage = false;
  private mode = Mode.Prefix;
  private matched = 0;
  private valueStarted = false;

  /** Events carrying a JSON payload, i.e. every data line except [DONE]. */
  get jsonEvents(): number {
    return this.doneSeen ? this.dataLines - 1 : this.dataLines;
  }

  reset(): void {
    this.dataLines = 0;
    this.doneSeen = false;
    this.trailingGarbage = false;
    this.mode = Mode.Prefix;
    this.matched = 0;
    this.valueStarted = false;
  }

  /** Feeds body bytes; returns the data-line count so far, so a caller can timestamp the first one. */
  push(buf: Uint8Array): number {
    const len = buf.length;
    let i = 0;
    while (i < len) {
      const b = buf[i]!;
      if (this.mode === Mode.SkipLine) {
        // Jump to the next line end; most bytes are inside JSON payloads.
        const lf = buf.indexOf(LF, i);
        const cr = buf.indexOf(CR, i);
        const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
        if (end === -1) return this.dataLines;
        i = end + 1;
        this.toLineStart();
        continue;
      }
      if (b === LF || b === CR) {
        if (this.mode === Mode.Value && this.matched === DONE.length) this.doneSeen = true;
        this.toLineStart();
        i++;
        continue;
      }
      if (this.mode === Mode.Prefix) {
        if (this.doneSeen) this.trailingGarbage = true;
        if (b === DATA[this.matched]) {
          if (++this.matched === DATA.length) {
            this.dataLines++;
            this.mode = Mode.Value;
            this.matched = 0;
            this.valueStarted = false;
          }
        } else this.mode = Mode.SkipLine;
      } else {
        // Value of a data line: only "[DONE]" needs recognising, anything else is skipped.
        if (!this.valueStarted) {
          this.valueStarted = true;
          if (b === SPACE) {
            i++;
            continue;
          }
        }
        if (this.matched < DONE.length && b === DONE[this.matched]) this.matched++;
        else this.mode = Mode.SkipLine;
      }
      i++;
    }
    return this.dataLines;
  }

  private toLineStart(): void {
    this.mode = Mode.Prefix;
    this.matched = 0;
  }
}
