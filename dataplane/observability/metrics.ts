// A small Prometheus registry (counters, gauges, histograms with labels) rendered in the text format.
// Hand-written because the hot path only does a Map lookup and an increment per observation.

type Labels = Record<string, string>;

interface Metric {
  render(): string;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra !== '') parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function keyOf(names: readonly string[], labels: Labels): { key: string; values: string[] } {
  const values = names.map((n) => labels[n] ?? '');
  return { key: values.join('\u0001'), values };
}

export class Counter implements Metric {
  private readonly series = new Map<string, { values: string[]; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    // Whatever reaches a counter from an upstream's answer (a count sent as "5") must not turn the exposition
    // into text Prometheus refuses (`555`, `1e31e3`), which would lose every series of the scrape.
    if (typeof by !== 'number' || !Number.isFinite(by)) return;
    const { key, values } = keyOf(this.labelNames, labels);
    const found = this.series.get(key);
    if (found === undefined) this.series.set(key, { values, value: by });
    else found.value += by;
  }

  get(labels: Labels = {}): number {
    return this.series.get(keyOf(this.labelNames, labels).key)?.value ?? 0;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const s of this.series.values())
      out += `${this.name}${labelText(this.labelNames, s.values)} ${s.value}\n`;
    return out;
  }
}

export class Gauge implements Metric {
  private readonly series = new Map<string, { values: string[]; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    /** Read at scrape time: one value, or one value per label set. */
    private readonly collect?: () => number | readonly (readonly [Labels, number])[],
  ) {}

  set(value: number, labels: Labels = {}): void {
    const { key, values } = keyOf(this.labelNames, labels);
    this.series.set(key, { values, value });
  }

  add(delta: number, labels: Labels = {}): void {
    const { key, values } = keyOf(this.labelNames, labels);
    const found = this.series.get(key);
    if (found === undefined) this.series.set(key, { values, value: delta });
    else found.value += delta;
  }

  get(labels: Labels = {}): number {
    return this.series.get(keyOf(this.labelNames, labels).key)?.value ?? 0;
  }

  render(): string {
    if (this.collect !== undefined) {
      const collected = this.collect();
      if (typeof collected === 'number') this.set(collected);
      else for (const [labels, value] of collected) this.set(value, labels);
    }
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n`;
    for (const s of this.series.values())
      out += `${this.name}${labelText(this.labelNames, s.values)} ${s.value}\n`;
    return out;
  }
}

interface HistogramSeries {
  values: string[];
  counts: Float64Array;
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds in the metric's unit, ascending; +Inf is implied. */
    readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    if (!Number.isFinite(value)) return;
    this.add(this.seriesOf(labels), value);
  }

  private seriesOf(labels: Labels): HistogramSeries {
    const { key, values } = keyOf(this.labelNames, labels);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { values, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  private add(s: HistogramSeries, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        s.counts[i]! += 1;
        break;
      }
    }
    s.sum += value;
    s.count += 1;
  }

  count(labels: Labels = {}): number {
    return this.series.get(keyOf(this.labelNames, labels).key)?.count ?? 0;
  }

  /** An observer of one label set, resolved once: nothing to look up or allocate per observation. */
  bind(labels: Labels): (value: number) => void {
    const series = this.seriesOf(labels);
    return (value) => {
      if (Number.isFinite(value)) this.add(series, value);
    };
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${labelText(this.labelNames, s.values, `le="${this.buckets[i]}"`)} ${cumulative}\n`;
      }
      out += `${this.name}_bucket${labelText(this.labelNames, s.values, 'le="+Inf"')} ${s.count}\n`;
      out += `${this.name}_sum${labelText(this.labelNames, s.values)} ${s.sum}\n`;
      out += `${this.name}_count${labelText(this.labelNames, s.values)} ${s.count}\n`;
    }
    return out;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }
  render(): string {
    return this.metrics.map((m) => m.render()).join('');
  }
}

/** Latency buckets in seconds, from 0.5 ms (gateway overhead) to 5 min (long generations). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** Runs `work` and tells `observe` how long it took, in seconds, whether it succeeded or threw. */
export async function timed<T>(observe: (seconds: number) => void, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    observe((performance.now() - started) / 1000);
  }
}
