// Growable array of float samples (latencies in µs). A typed array keeps a million samples compact and
// avoids boxing numbers in the hot path of the load generator.

export class SampleBuffer {
  private data: Float64Array;
  private size = 0;

  constructor(initialCapacity = 4096) {
    this.data = new Float64Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.size;
  }

  push(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  /** A sorted copy of the samples; the buffer itself keeps arrival order. */
  sorted(): Float64Array {
    return this.data.slice(0, this.size).sort();
  }

  values(): Float64Array {
    return this.data.subarray(0, this.size);
  }
}
