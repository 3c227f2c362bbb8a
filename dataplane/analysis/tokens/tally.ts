// A running token total that remembers whether every contribution was exact.

export interface Counted {
  tokens: number;
  exact: boolean;
  /** Parts whose tokens are not in `tokens` at all (audio, files): `tokens` is then only a lower bound. */
  uncounted?: number;
}

export class Tally {
  tokens = 0;
  exact = true;
  uncounted = 0;

  add(count: Counted): void {
    this.tokens += count.tokens;
    if (!count.exact) this.exact = false;
  }

  /** Framing constants and other contributions known to be exact. */
  fixed(tokens: number): void {
    this.tokens += tokens;
  }

  /** Marks the total as an estimate, e.g. when a part's token cost is only approximated. */
  inexact(): void {
    this.exact = false;
  }

  /** A part the count leaves out entirely (media not decoded here): the total becomes a lower bound. */
  notCounted(): void {
    this.uncounted += 1;
    this.exact = false;
  }

  result(exact = this.exact): Counted {
    return this.uncounted === 0
      ? { tokens: this.tokens, exact }
      : { tokens: this.tokens, exact, uncounted: this.uncounted };
  }
}
