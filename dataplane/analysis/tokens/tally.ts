// A running token total that remembers whether every contribution was exact.

export interface Counted {
  tokens: number;
  exact: boolean;
}

export class Tally {
  tokens = 0;
  exact = true;

  add(count: Counted): void {
    this.tokens += count.tokens;
    if (!count.exact) this.exact = false;
  }

  /** Framing constants and other contributions known to be exact. */
  fixed(tokens: number): void {
    this.tokens += tokens;
  }

  /** Marks the total as an estimate, e.g. when a part's token cost is unknown. */
  inexact(): void {
    this.exact = false;
  }
}
